// Package fabricstub maps the contract runtime onto a Hyperledger Fabric transaction: State implements
// ledger.State over the chaincode shim 1:1 (GetState, PutState, DelState, GetStateByRange, private data
// including the implicit per-organisation collections "_implicit_org_<MSPID>"), Caller reads the creator's
// identity (MSP ID, certificate, NodeOU role, Fabric CA attributes), TxTime the proposal's timestamp, and
// SetEvents combines a call's events into the single chaincode event Fabric keeps per transaction.
//
// Keys reach State already namespaced by the engine ("ns/<contract>/<key>"); State adds nothing. As on any
// Fabric ledger, writing an empty value deletes the key. Strings the shim cannot marshal (invalid UTF-8) are
// refused with an error before they reach it: the shim would panic and take the chaincode server down.
//
// peertest, a subpackage, runs a real shim chaincode against an in-process peer for fast tests.
package fabricstub

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/medledger/medledger/runtime/ledger"
)

// State is one transaction's world state as the chaincode shim offers it. It is not safe for concurrent use
// (neither is the stub).
type State struct {
	stub shim.ChaincodeStubInterface
}

var _ ledger.State = (*State)(nil)

// New returns the State of the transaction stub belongs to.
func New(stub shim.ChaincodeStubInterface) *State { return &State{stub: stub} }

// Stub returns the underlying shim stub.
func (s *State) Stub() shim.ChaincodeStubInterface { return s.stub }

// GetState returns the committed value of key, or nil when it is absent (shim GetState: the peer records the
// read and its version in the transaction's read set).
//
// # Errors
//
// A key that is not valid UTF-8 (refused before the shim, which would panic), or the peer's error.
func (s *State) GetState(key string) ([]byte, error) {
	if err := checkKeys("GetState", key); err != nil {
		return nil, err
	}
	v, err := s.stub.GetState(key)
	if err != nil {
		return nil, fmt.Errorf("fabric GetState %q: %w", key, err)
	}
	if len(v) == 0 { // Fabric cannot tell an empty value from an absent one
		return nil, nil
	}
	return v, nil
}

// PutState writes key = value (shim PutState).
//
// # Errors
//
// The peer's error, e.g. a write after a paginated query in the same transaction.
func (s *State) PutState(key string, value []byte) error {
	if err := checkKeys("PutState", key); err != nil {
		return err
	}
	if err := s.stub.PutState(key, value); err != nil {
		return fmt.Errorf("fabric PutState %q: %w", key, err)
	}
	return nil
}

// DelState deletes key (shim DelState).
//
// # Errors
//
// The peer's error.
func (s *State) DelState(key string) error {
	if err := checkKeys("DelState", key); err != nil {
		return err
	}
	if err := s.stub.DelState(key); err != nil {
		return fmt.Errorf("fabric DelState %q: %w", key, err)
	}
	return nil
}

// GetStateByRange returns an iterator over [startKey, endKey); empty endKey is unbounded (shim GetStateByRange).
// The peer records the range and what it returned for phantom-read detection.
//
// # Errors
//
// The peer's error (bad key, a range after a write in a paginated transaction...).
func (s *State) GetStateByRange(startKey, endKey string) (ledger.Iterator, error) {
	if err := checkKeys("GetStateByRange", startKey, endKey); err != nil {
		return nil, err
	}
	it, err := s.stub.GetStateByRange(startKey, endKey)
	if err != nil {
		return nil, fmt.Errorf("fabric GetStateByRange [%q, %q): %w", startKey, endKey, err)
	}
	return &iterator{it: it}, nil
}

// Page is one page of a paginated range query.
type Page struct {
	// KVs are the entries of the page, in key order.
	KVs []ledger.KV
	// Bookmark continues the query; empty when the range is exhausted.
	Bookmark string
}

// GetStateByRangeWithPagination returns at most pageSize entries of [startKey, endKey) starting at bookmark
// (shim GetStateByRangeWithPagination). Fabric serves paginated queries only in transactions that write
// nothing, so this is for read-only functions (listing); ledger.State's ranges serve contracts.
//
// # Errors
//
//   - pageSize is not positive;
//   - the peer's error, e.g. "Transaction has already performed a write" in a transaction that wrote before.
func (s *State) GetStateByRangeWithPagination(startKey, endKey string, pageSize int32, bookmark string) (Page, error) {
	if pageSize <= 0 {
		return Page{}, fmt.Errorf("fabric range page size %d: must be positive", pageSize)
	}
	if err := checkKeys("GetStateByRangeWithPagination", startKey, endKey, bookmark); err != nil {
		return Page{}, err
	}
	it, meta, err := s.stub.GetStateByRangeWithPagination(startKey, endKey, pageSize, bookmark)
	if err != nil {
		return Page{}, fmt.Errorf("fabric GetStateByRangeWithPagination [%q, %q): %w", startKey, endKey, err)
	}
	defer it.Close()
	var p Page
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return Page{}, fmt.Errorf("fabric range page [%q, %q): %w", startKey, endKey, err)
		}
		p.KVs = append(p.KVs, ledger.KV{Key: kv.Key, Value: kv.Value})
	}
	// The peer returns the next start key as bookmark even on the last page; only a full page can continue.
	if meta != nil && int32(len(p.KVs)) >= pageSize {
		p.Bookmark = meta.GetBookmark()
	}
	return p, nil
}

// GetPrivateData returns the value of key in collection, or nil when absent (shim GetPrivateData). Implicit
// organisation collections "_implicit_org_<MSPID>" need no collection definition.
//
// # Errors
//
// The peer's error: an unknown collection, or a peer of an organisation that is not a member of it.
func (s *State) GetPrivateData(collection, key string) ([]byte, error) {
	if err := checkKeys("GetPrivateData", collection, key); err != nil {
		return nil, err
	}
	v, err := s.stub.GetPrivateData(collection, key)
	if err != nil {
		return nil, fmt.Errorf("fabric GetPrivateData %s/%q: %w", collection, key, err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

// PutPrivateData writes key = value in collection (shim PutPrivateData).
//
// # Errors
//
// The peer's error, e.g. an unknown collection.
func (s *State) PutPrivateData(collection, key string, value []byte) error {
	if err := checkKeys("PutPrivateData", collection, key); err != nil {
		return err
	}
	if err := s.stub.PutPrivateData(collection, key, value); err != nil {
		return fmt.Errorf("fabric PutPrivateData %s/%q: %w", collection, key, err)
	}
	return nil
}

// DelPrivateData deletes key from collection (shim DelPrivateData).
//
// # Errors
//
// The peer's error.
func (s *State) DelPrivateData(collection, key string) error {
	if err := checkKeys("DelPrivateData", collection, key); err != nil {
		return err
	}
	if err := s.stub.DelPrivateData(collection, key); err != nil {
		return fmt.Errorf("fabric DelPrivateData %s/%q: %w", collection, key, err)
	}
	return nil
}

// checkKeys refuses strings the shim cannot marshal: it panics on invalid UTF-8 (taking the whole chaincode
// process down), so that must be an error here.
func checkKeys(op string, keys ...string) error {
	for _, k := range keys {
		if !utf8.ValidString(k) {
			return fmt.Errorf("fabric %s %q: not valid UTF-8", op, k)
		}
	}
	return nil
}

// ImplicitCollection returns the name of mspID's implicit private data collection.
func ImplicitCollection(mspID string) string { return "_implicit_org_" + mspID }

// iterator adapts the shim's iterator; Close is idempotent, as ledger.Iterator promises.
type iterator struct {
	it     shim.StateQueryIteratorInterface
	closed bool
}

func (i *iterator) HasNext() bool { return !i.closed && i.it.HasNext() }

func (i *iterator) Next() (ledger.KV, error) {
	if i.closed {
		return ledger.KV{}, errors.New("fabric range: iterator is closed")
	}
	kv, err := i.it.Next()
	if err != nil {
		return ledger.KV{}, fmt.Errorf("fabric range: %w", err)
	}
	return ledger.KV{Key: kv.Key, Value: kv.Value}, nil
}

func (i *iterator) Close() error {
	if i.closed {
		return nil
	}
	i.closed = true
	if err := i.it.Close(); err != nil {
		return fmt.Errorf("fabric range close: %w", err)
	}
	return nil
}
