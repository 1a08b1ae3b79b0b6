// Package peertest runs a real shim chaincode (shim.Chaincode, driven by the shim's own message handler through
// shim.StartInProc) against a small in-process stand-in for a Fabric peer: it speaks the peer side of Fabric's
// chaincode protocol over an in-memory stream and keeps a versioned world state, private data, key metadata
// (state-based endorsement policies) and key history.
//
// It exists for fast, deterministic tests of chaincode logic and of runtime/ledger/fabricstub; everything it
// cannot show (endorsement policies, MVCC validation, gossip, the real LevelDB paging) is covered by the
// real-Fabric tests in operator/internal/e2e. Where Fabric has a rule a chaincode can trip over, the peer
// follows it: reads see committed state only, an empty value written is a delete, paginated queries are refused
// after a write and writes after a paginated query, unknown collections are refused (implicit org collections
// always exist).
package peertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// Options configure a Peer.
type Options struct {
	// Channel is the channel name (default "testchannel").
	Channel string
	// ChaincodeName is the name the chaincode registers under (default "cc").
	ChaincodeName string
	// Collections are the private data collections defined for the chaincode, besides the implicit
	// "_implicit_org_<MSPID>" ones, which always exist.
	Collections []string
	// HistoryDisabled makes GetHistoryForKey fail as on a peer with the history database off.
	HistoryDisabled bool
	// MaxResultLimit is how many range or history results one response carries (default 100, Fabric's
	// chaincode.runtimeParams.maxResultLimit); the shim fetches the rest with QUERY_STATE_NEXT.
	MaxResultLimit int
	// Timeout bounds one transaction (default 1 minute).
	Timeout time.Duration
}

// Peer is a running in-process peer with one chaincode connected. It is safe for concurrent use: concurrent
// transactions are simulated concurrently, as on a real peer.
type Peer struct {
	opts   Options
	toCC   chan *pb.ChaincodeMessage
	fromCC chan *pb.ChaincodeMessage
	closed chan struct{}
	once   sync.Once
	shim   chan error // the shim's exit error

	mu      sync.Mutex
	world   *world
	txs     map[string]*txContext
	ready   chan struct{}
	blockNo uint64
}

// Start connects cc to a new, empty peer and waits until the chaincode has registered.
//
// # Errors
//
// The chaincode does not register within the timeout, or the shim ends the stream.
func Start(cc shim.Chaincode, opts Options) (*Peer, error) {
	p := newPeer(opts)
	go func() { p.shim <- shim.StartInProc(p.opts.ChaincodeName, ccStream{p}, cc) }()
	return p.start()
}

// Connect is Start for a chaincode served over gRPC (chaincode-as-a-service): it opens the Chaincode.Connect
// stream on conn as a peer does and pumps the stream into the peer, so a real server (TLS included) is
// exercised. Close ends the stream.
//
// # Errors
//
// The stream cannot be opened, or the chaincode does not register within the timeout.
func Connect(ctx context.Context, conn grpc.ClientConnInterface, opts Options) (*Peer, error) {
	p := newPeer(opts)
	sctx, cancel := context.WithCancel(ctx)
	stream, err := pb.NewChaincodeClient(conn).Connect(sctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("peertest: connect: %w", err)
	}
	go func() {
		<-p.closed
		cancel()
	}()
	go func() { // chaincode -> peer
		for {
			m, err := stream.Recv()
			if err != nil {
				select {
				case p.shim <- err:
				default:
				}
				return
			}
			select {
			case p.fromCC <- m:
			case <-p.closed:
				return
			}
		}
	}()
	go func() { // peer -> chaincode
		for {
			select {
			case m := <-p.toCC:
				if err := stream.Send(m); err != nil {
					return
				}
			case <-p.closed:
				_ = stream.CloseSend()
				return
			}
		}
	}()
	return p.start()
}

func newPeer(opts Options) *Peer {
	if opts.Channel == "" {
		opts.Channel = "testchannel"
	}
	if opts.ChaincodeName == "" {
		opts.ChaincodeName = "cc"
	}
	if opts.MaxResultLimit <= 0 {
		opts.MaxResultLimit = 100
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Minute
	}
	return &Peer{
		opts:   opts,
		toCC:   make(chan *pb.ChaincodeMessage, 16),
		fromCC: make(chan *pb.ChaincodeMessage, 16),
		closed: make(chan struct{}),
		shim:   make(chan error, 1),
		world:  newWorld(),
		txs:    map[string]*txContext{},
		ready:  make(chan struct{}),
	}
}

func (p *Peer) start() (*Peer, error) {
	go p.loop()
	select {
	case <-p.ready:
		return p, nil
	case err := <-p.shim:
		p.Close()
		return nil, fmt.Errorf("peertest: chaincode ended during registration: %w", err)
	case <-time.After(p.opts.Timeout):
		p.Close()
		return nil, errors.New("peertest: chaincode did not register")
	}
}

// Close disconnects the chaincode. Transactions in flight fail.
func (p *Peer) Close() error {
	p.once.Do(func() { close(p.closed) })
	return nil
}

// Channel returns the channel name.
func (p *Peer) Channel() string { return p.opts.Channel }

// ccStream is the chaincode's end of the stream.
type ccStream struct{ p *Peer }

func (s ccStream) Send(m *pb.ChaincodeMessage) error {
	select {
	case s.p.fromCC <- m:
		return nil
	case <-s.p.closed:
		return io.EOF
	}
}

func (s ccStream) Recv() (*pb.ChaincodeMessage, error) {
	select {
	case m := <-s.p.toCC:
		return m, nil
	case <-s.p.closed:
		return nil, io.EOF
	}
}

func (s ccStream) CloseSend() error { return nil }

func (p *Peer) send(m *pb.ChaincodeMessage) {
	select {
	case p.toCC <- m:
	case <-p.closed:
	}
}

// loop answers the chaincode: registration, then its requests during transactions and their completions.
func (p *Peer) loop() {
	for {
		var m *pb.ChaincodeMessage
		select {
		case m = <-p.fromCC:
		case <-p.closed:
			return
		}
		switch m.Type {
		case pb.ChaincodeMessage_REGISTER:
			p.send(&pb.ChaincodeMessage{Type: pb.ChaincodeMessage_REGISTERED})
			p.send(&pb.ChaincodeMessage{Type: pb.ChaincodeMessage_READY})
			close(p.ready)
		case pb.ChaincodeMessage_KEEPALIVE:
		case pb.ChaincodeMessage_COMPLETED, pb.ChaincodeMessage_ERROR:
			p.mu.Lock()
			tx := p.txs[m.Txid]
			p.mu.Unlock()
			if tx != nil {
				tx.done <- m
			}
		default:
			p.mu.Lock()
			tx := p.txs[m.Txid]
			var resp *pb.ChaincodeMessage
			if tx == nil {
				resp = errorMsg(m, fmt.Errorf("no transaction %s in progress", m.Txid))
			} else {
				resp = p.handle(tx, m)
			}
			p.mu.Unlock()
			p.send(resp)
		}
	}
}

// Proposal is one transaction proposal.
type Proposal struct {
	// Creator submits the proposal.
	Creator Identity
	// Args are the chaincode arguments; Args[0] is the function name by convention.
	Args [][]byte
	// Transient data reaches the chaincode but not the ledger.
	Transient map[string][]byte
	// TxID defaults to a random id.
	TxID string
	// Timestamp defaults to now.
	Timestamp time.Time
}

// Result is what the chaincode produced for one proposal.
type Result struct {
	TxID string
	// Response is the chaincode's response (status, message, payload).
	Response *pb.Response
	// Event is the transaction's chaincode event, or nil.
	Event *pb.ChaincodeEvent
	// RWSet is the simulation's read/write set.
	RWSet RWSet
	// Committed is set when Submit applied the writes; Block is then their block number.
	Committed bool
	Block     uint64
}

// OK reports whether the chaincode succeeded (status below 400, as the endorser judges).
func (r Result) OK() bool { return r.Response != nil && r.Response.Status < shim.ERRORTHRESHOLD }

// Evaluate simulates the proposal and returns the result without committing anything.
//
// # Errors
//
// The chaincode did not answer in time, the stream ended, or the shim reported a protocol error (not a
// chaincode error response: that is in Result.Response).
func (p *Peer) Evaluate(prop Proposal) (Result, error) { return p.run(prop, false) }

// Submit simulates the proposal and, when the chaincode succeeds, commits its writes as the next block (no
// endorsement policy or MVCC check applies: concurrent Submits commit in completion order).
//
// # Errors
//
// As Evaluate.
func (p *Peer) Submit(prop Proposal) (Result, error) { return p.run(prop, true) }

func (p *Peer) run(prop Proposal, commit bool) (Result, error) {
	if prop.TxID == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		prop.TxID = hex.EncodeToString(b[:])
	}
	if prop.Timestamp.IsZero() {
		prop.Timestamp = time.Now()
	}
	signed, err := signedProposal(p.opts.Channel, p.opts.ChaincodeName, prop)
	if err != nil {
		return Result{}, err
	}
	input, err := proto.Marshal(&pb.ChaincodeInput{Args: prop.Args})
	if err != nil {
		return Result{}, err
	}
	tx := &txContext{id: prop.TxID, creator: prop.Creator, ts: prop.Timestamp, done: make(chan *pb.ChaincodeMessage, 1), rw: newRWBuilder(), iters: map[string]*queryIter{}}
	p.mu.Lock()
	if _, dup := p.txs[prop.TxID]; dup {
		p.mu.Unlock()
		return Result{}, fmt.Errorf("peertest: transaction %s is already in progress", prop.TxID)
	}
	p.txs[prop.TxID] = tx
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.txs, prop.TxID)
		p.mu.Unlock()
	}()
	p.send(&pb.ChaincodeMessage{Type: pb.ChaincodeMessage_TRANSACTION, Payload: input, Txid: prop.TxID, ChannelId: p.opts.Channel, Proposal: signed})
	var m *pb.ChaincodeMessage
	select {
	case m = <-tx.done:
	case err := <-p.shim:
		p.shim <- err
		return Result{}, fmt.Errorf("peertest: chaincode stream ended: %w", err)
	case <-p.closed:
		return Result{}, errors.New("peertest: peer closed")
	case <-time.After(p.opts.Timeout):
		return Result{}, fmt.Errorf("peertest: transaction %s timed out after %s", prop.TxID, p.opts.Timeout)
	}
	if m.Type == pb.ChaincodeMessage_ERROR {
		return Result{}, fmt.Errorf("peertest: chaincode protocol error: %s", m.Payload)
	}
	res := Result{TxID: prop.TxID, Response: &pb.Response{}, Event: m.ChaincodeEvent}
	if err := proto.Unmarshal(m.Payload, res.Response); err != nil {
		return Result{}, fmt.Errorf("peertest: chaincode response: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	res.RWSet = tx.rw.build()
	if commit && res.OK() {
		p.blockNo++
		p.world.apply(Version{Block: p.blockNo}, tx, res.RWSet)
		res.Committed, res.Block = true, p.blockNo
	}
	return res, nil
}

func errorMsg(req *pb.ChaincodeMessage, err error) *pb.ChaincodeMessage {
	return &pb.ChaincodeMessage{Type: pb.ChaincodeMessage_ERROR, Payload: []byte(err.Error()), Txid: req.Txid, ChannelId: req.ChannelId}
}

func respMsg(req *pb.ChaincodeMessage, payload []byte) *pb.ChaincodeMessage {
	return &pb.ChaincodeMessage{Type: pb.ChaincodeMessage_RESPONSE, Payload: payload, Txid: req.Txid, ChannelId: req.ChannelId}
}

// SetState writes key = value directly into the committed world state as a block of its own, bypassing the
// chaincode: for fixtures, and to play a tampered ledger. An empty value deletes the key.
func (p *Peer) SetState(key string, value []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blockNo++
	p.world.put(key, value, Version{Block: p.blockNo}, "peertest-"+fmt.Sprint(p.blockNo), time.Now())
}

// State returns the committed value of key, or nil.
func (p *Peer) State(key string) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.world.get(key).value
}

// Metadata returns the committed metadata of key (e.g. "VALIDATION_PARAMETER"), or nil.
func (p *Peer) Metadata(key string) map[string][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.world.get(key).metadata
}

// PrivateState returns the committed value of key in collection, or nil.
func (p *Peer) PrivateState(collection, key string) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.world.private[collection][key].value
}

// Keys returns the committed public keys with the given prefix, sorted.
func (p *Peer) Keys(prefix string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for k := range p.world.public {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Snapshot is a copy of a peer's committed state.
type Snapshot struct {
	w       *world
	blockNo uint64
}

// Snapshot copies the committed state (public, private, metadata, history), e.g. to start another peer on
// the same ledger.
func (p *Peer) Snapshot() Snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Snapshot{w: p.world.clone(), blockNo: p.blockNo}
}

// Restore replaces the committed state with s.
func (p *Peer) Restore(s Snapshot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.world, p.blockNo = s.w.clone(), s.blockNo
}

// Height returns the number of blocks committed.
func (p *Peer) Height() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.blockNo
}
