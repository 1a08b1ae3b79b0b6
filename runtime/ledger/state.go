// Package ledger defines State, the world-state interface the contract runtime's host functions call, and
// Memory, an in-memory implementation that records a Fabric-like read/write set.
//
// State maps 1:1 onto Hyperledger Fabric's chaincode shim (ChaincodeStubInterface), so the Fabric adapter is a thin
// wrapper. Keys passed to State are already namespaced by the engine ("ns/<contract>/<key>"); State knows nothing
// about contracts.
package ledger

// State is one transaction's view of the world state, as the Fabric shim offers it. Implementations need not be
// safe for concurrent use unless they say so (Memory is).
//
// Reads never see the same transaction's writes (Fabric semantics); the engine layers its own write buffer on top
// so a contract does see its earlier writes.
type State interface {
	// GetState returns the value of key, or nil when key is absent (shim GetState).
	GetState(key string) ([]byte, error)
	// PutState writes key = value (shim PutState). An empty (or nil) value deletes key: Fabric's read/write set
	// records it as a delete (rwsetutil: IsDelete = len(value) == 0), so no ledger ever holds an empty value.
	PutState(key string, value []byte) error
	// DelState deletes key; deleting an absent key is not an error (shim DelState).
	DelState(key string) error
	// GetStateByRange returns an iterator over the keys in [startKey, endKey) in ascending byte order; an empty
	// endKey means unbounded (shim GetStateByRange). The caller must Close the iterator. Closing it before it is
	// exhausted records a range read that ends at the last key returned, as Fabric does.
	//
	// Paging is done by the engine on top of this iterator, not with GetStateByRangeWithPagination, because Fabric
	// allows paginated queries only in read-only transactions.
	GetStateByRange(startKey, endKey string) (Iterator, error)

	// GetPrivateData returns the value of key in collection, or nil when absent (shim GetPrivateData).
	GetPrivateData(collection, key string) ([]byte, error)
	// PutPrivateData writes key = value in collection (shim PutPrivateData); an empty value deletes key, as
	// for PutState.
	PutPrivateData(collection, key string, value []byte) error
	// DelPrivateData deletes key from collection (shim DelPrivateData).
	DelPrivateData(collection, key string) error
}

// Iterator walks a range result (shim StateQueryIteratorInterface).
type Iterator interface {
	// HasNext reports whether Next will return another entry.
	HasNext() bool
	// Next returns the next entry.
	Next() (KV, error)
	// Close releases the iterator; it is safe to call more than once.
	Close() error
}

// KV is one key and value from a range (shim queryresult.KV without the namespace field).
type KV struct {
	Key   string
	Value []byte
}
