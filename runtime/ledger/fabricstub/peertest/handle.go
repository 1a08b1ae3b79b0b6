package peertest

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// txContext is one transaction being simulated.
type txContext struct {
	id        string
	creator   Identity
	ts        time.Time
	done      chan *pb.ChaincodeMessage
	rw        *rwBuilder
	iters     map[string]*queryIter
	nextIter  int
	paginated bool
}

// queryIter holds the results of a range or history query not yet sent to the chaincode.
type queryIter struct {
	results []*pb.QueryResultBytes
	rq      *RangeQuery // nil for history
	pending []Read      // reads of rq, recorded as results are handed out
}

// handle answers one chaincode request of tx; p.mu is held.
func (p *Peer) handle(tx *txContext, m *pb.ChaincodeMessage) *pb.ChaincodeMessage {
	payload, err := p.dispatch(tx, m)
	if err != nil {
		return errorMsg(m, err)
	}
	return respMsg(m, payload)
}

func (p *Peer) dispatch(tx *txContext, m *pb.ChaincodeMessage) ([]byte, error) {
	switch m.Type {
	case pb.ChaincodeMessage_GET_STATE:
		var req pb.GetState
		if err := proto.Unmarshal(m.Payload, &req); err != nil {
			return nil, err
		}
		if req.Collection != "" {
			if err := p.checkCollection(req.Collection); err != nil {
				return nil, err
			}
			e, ok := p.world.private[req.Collection][req.Key]
			tx.rw.privateRead(req.Collection, req.Key, e, ok)
			return e.value, nil
		}
		e, ok := p.world.public[req.Key]
		tx.rw.read(req.Key, e, ok)
		return e.value, nil
	case pb.ChaincodeMessage_GET_PRIVATE_DATA_HASH:
		var req pb.GetState
		if err := proto.Unmarshal(m.Payload, &req); err != nil {
			return nil, err
		}
		if err := p.checkCollection(req.Collection); err != nil {
			return nil, err
		}
		e, ok := p.world.private[req.Collection][req.Key]
		if !ok {
			return nil, nil
		}
		sum := sha256.Sum256(e.value)
		return sum[:], nil
	case pb.ChaincodeMessage_PUT_STATE:
		var req pb.PutState
		if err := proto.Unmarshal(m.Payload, &req); err != nil {
			return nil, err
		}
		return nil, p.write(tx, req.Collection, req.Key, req.Value)
	case pb.ChaincodeMessage_DEL_STATE:
		var req pb.DelState
		if err := proto.Unmarshal(m.Payload, &req); err != nil {
			return nil, err
		}
		return nil, p.write(tx, req.Collection, req.Key, nil)
	case pb.ChaincodeMessage_GET_STATE_METADATA:
		var req pb.GetStateMetadata
		if err := proto.Unmarshal(m.Payload, &req); err != nil {
			return nil, err
		}
		if req.Collection != "" {
			return nil, fmt.Errorf("peertest: private data metadata is not supported")
		}
		e, ok := p.world.public[req.Key]
		tx.rw.read(req.Key, e, ok) // as Fabric: reading metadata reads the key
		var res pb.StateMetadataResult
		for _, k := range sortedKeys(e.metadata) {
			res.Entries = append(res.Entries, &pb.StateMetadata{Metakey: k, Value: e.metadata[k]})
		}
		return proto.Marshal(&res)
	case pb.ChaincodeMessage_PUT_STATE_METADATA:
		var req pb.PutStateMetadata
		if err := proto.Unmarshal(m.Payload, &req); err != nil {
			return nil, err
		}
		if req.Collection != "" {
			return nil, fmt.Errorf("peertest: private data metadata is not supported")
		}
		if tx.paginated {
			return nil, fmt.Errorf("txid [%s]: Transaction has already performed a paginated query. Writes are not allowed", tx.id)
		}
		if req.Metadata == nil {
			return nil, fmt.Errorf("peertest: PUT_STATE_METADATA without metadata")
		}
		md := tx.rw.metadata[req.Key]
		if md == nil {
			md = map[string][]byte{}
			for k, v := range p.world.public[req.Key].metadata {
				md[k] = v
			}
			tx.rw.metadata[req.Key] = md
		}
		md[req.Metadata.Metakey] = append([]byte(nil), req.Metadata.Value...)
		return nil, nil
	case pb.ChaincodeMessage_GET_STATE_BY_RANGE:
		var req pb.GetStateByRange
		if err := proto.Unmarshal(m.Payload, &req); err != nil {
			return nil, err
		}
		return p.rangeQuery(tx, &req)
	case pb.ChaincodeMessage_QUERY_STATE_NEXT:
		var req pb.QueryStateNext
		if err := proto.Unmarshal(m.Payload, &req); err != nil {
			return nil, err
		}
		it := tx.iters[req.Id]
		if it == nil {
			return nil, fmt.Errorf("query iterator %s not found", req.Id)
		}
		return p.nextBatch(req.Id, it)
	case pb.ChaincodeMessage_QUERY_STATE_CLOSE:
		var req pb.QueryStateClose
		if err := proto.Unmarshal(m.Payload, &req); err != nil {
			return nil, err
		}
		delete(tx.iters, req.Id)
		return proto.Marshal(&pb.QueryResponse{Id: req.Id})
	case pb.ChaincodeMessage_GET_HISTORY_FOR_KEY:
		var req pb.GetHistoryForKey
		if err := proto.Unmarshal(m.Payload, &req); err != nil {
			return nil, err
		}
		if p.opts.HistoryDisabled {
			return nil, fmt.Errorf("history database not enabled")
		}
		mods := p.world.history[req.Key]
		it := &queryIter{}
		for i := len(mods) - 1; i >= 0; i-- { // newest first, as Fabric
			md := mods[i]
			b, err := proto.Marshal(&queryresult.KeyModification{TxId: md.txID, Value: md.value, Timestamp: timestamppb.New(md.ts), IsDelete: md.isDelete})
			if err != nil {
				return nil, err
			}
			it.results = append(it.results, &pb.QueryResultBytes{ResultBytes: b})
		}
		return p.openIter(tx, it, nil)
	case pb.ChaincodeMessage_GET_QUERY_RESULT:
		return nil, fmt.Errorf("ExecuteQuery not supported for leveldb")
	default:
		return nil, fmt.Errorf("peertest: unsupported chaincode request %s", m.Type)
	}
}

func (p *Peer) checkCollection(coll string) error {
	if strings.HasPrefix(coll, "_implicit_org_") || slices.Contains(p.opts.Collections, coll) {
		return nil
	}
	return fmt.Errorf("collection %s could not be found", coll)
}

func (p *Peer) write(tx *txContext, coll, key string, value []byte) error {
	if tx.paginated {
		return fmt.Errorf("txid [%s]: Transaction has already performed a paginated query. Writes are not allowed", tx.id)
	}
	if !utf8.ValidString(key) {
		return fmt.Errorf("invalid key [%x]: not a valid utf8 string", key)
	}
	if key == "" {
		return fmt.Errorf("key must not be empty")
	}
	if coll != "" {
		if err := p.checkCollection(coll); err != nil {
			return err
		}
		tx.rw.privateWrite(coll, key, value)
		return nil
	}
	tx.rw.write(key, value)
	return nil
}

func (p *Peer) rangeQuery(tx *txContext, req *pb.GetStateByRange) ([]byte, error) {
	if req.Collection != "" {
		return nil, fmt.Errorf("peertest: private data range queries are not supported")
	}
	start := req.StartKey
	var pageSize int32
	paginated := false
	if len(req.Metadata) > 0 {
		var md pb.QueryMetadata
		if err := proto.Unmarshal(req.Metadata, &md); err != nil {
			return nil, err
		}
		if md.PageSize > 0 || md.Bookmark != "" {
			paginated = true
			pageSize = md.PageSize
			if md.Bookmark != "" {
				start = md.Bookmark
			}
		}
	}
	if paginated {
		if tx.rw.hasWrites() {
			return nil, fmt.Errorf("txid [%s]: Transaction has already performed a write. Paginated queries are not supported after writes", tx.id)
		}
		tx.paginated = true
	}
	keys := p.world.sortedKeys(start, req.EndKey)
	next := ""
	if paginated && pageSize > 0 && int32(len(keys)) > pageSize {
		next = keys[pageSize]
		keys = keys[:pageSize]
	}
	rq := &RangeQuery{StartKey: req.StartKey, EndKey: req.EndKey}
	it := &queryIter{rq: rq}
	for _, k := range keys {
		e := p.world.public[k]
		b, err := proto.Marshal(&queryresult.KV{Namespace: p.opts.ChaincodeName, Key: k, Value: e.value})
		if err != nil {
			return nil, err
		}
		it.results = append(it.results, &pb.QueryResultBytes{ResultBytes: b})
		v := e.version
		it.pending = append(it.pending, Read{Key: k, Version: &v})
	}
	var meta *pb.QueryResponseMetadata
	if paginated {
		meta = &pb.QueryResponseMetadata{FetchedRecordsCount: int32(len(keys)), Bookmark: next}
	}
	return p.openIter(tx, it, meta)
}

// openIter registers it and returns its first batch.
func (p *Peer) openIter(tx *txContext, it *queryIter, meta *pb.QueryResponseMetadata) ([]byte, error) {
	tx.nextIter++
	id := fmt.Sprintf("%s-%d", tx.id, tx.nextIter)
	if it.rq != nil {
		tx.rw.ranges = append(tx.rw.ranges, it.rq)
	}
	tx.iters[id] = it
	resp, err := p.batch(it, id)
	if err != nil {
		return nil, err
	}
	if meta != nil {
		if resp.Metadata, err = proto.Marshal(meta); err != nil {
			return nil, err
		}
	}
	return proto.Marshal(resp)
}

func (p *Peer) nextBatch(id string, it *queryIter) ([]byte, error) {
	resp, err := p.batch(it, id)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(resp)
}

// batch hands out up to MaxResultLimit results and records the reads they represent.
func (p *Peer) batch(it *queryIter, id string) (*pb.QueryResponse, error) {
	n := min(len(it.results), p.opts.MaxResultLimit)
	resp := &pb.QueryResponse{Id: id, Results: it.results[:n], HasMore: n < len(it.results)}
	it.results = it.results[n:]
	if it.rq != nil {
		it.rq.Reads = append(it.rq.Reads, it.pending[:n]...)
		it.pending = it.pending[n:]
		it.rq.Exhausted = len(it.results) == 0
	}
	return resp, nil
}
