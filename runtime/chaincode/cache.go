package chaincode

import (
	"bytes"
	"encoding/json"
	"sync"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/medledger/medledger/runtime/ledger/fabricstub"
)

// maxCached bounds the per-process caches below; beyond it they start over (cheap, and rare).
const maxCached = 4096

// decodeCache remembers decoded values by their exact bytes: a registry entry is read on every call and
// changes only with an upgrade, a creator identity (certificate parsing) repeats across a client's calls.
// Both decodings are pure functions of the bytes, so a cached result is the result.
type decodeCache[V any] struct {
	mu sync.Mutex
	m  map[string]V
}

func (c *decodeCache[V]) get(raw []byte) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[string(raw)]
	return v, ok
}

func (c *decodeCache[V]) put(raw []byte, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = map[string]V{}
	}
	c.m[string(raw)] = v
}

var (
	entryCache   decodeCache[Entry]
	creatorCache decodeCache[fabricstub.Creator]
)

// readEntryCached is readEntry with decoded entries remembered by their bytes (the read still goes to the
// ledger, so the read set and the answer are those of the current state).
func readEntryCached(stub shim.ChaincodeStubInterface, name string) (Entry, bool, error) {
	raw, err := stub.GetState(entryKey(name))
	if err != nil {
		return Entry{}, false, internal("reading %s: %v", entryKey(name), err)
	}
	if len(raw) == 0 {
		return Entry{}, false, nil
	}
	if e, ok := entryCache.get(raw); ok {
		return e, true, nil
	}
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&e); err != nil {
		return Entry{}, false, internal("ledger key %s does not hold the expected JSON: %v", entryKey(name), err)
	}
	entryCache.put(raw, e)
	return e, true, nil
}

// callerCached is fabricstub.Caller with identities remembered by the creator's serialized bytes.
func callerCached(stub shim.ChaincodeStubInterface) (fabricstub.Creator, error) {
	raw, err := stub.GetCreator()
	if err != nil || len(raw) == 0 {
		return fabricstub.Caller(stub)
	}
	if c, ok := creatorCache.get(raw); ok {
		return c, nil
	}
	c, err := fabricstub.Caller(stub)
	if err != nil {
		return c, err
	}
	creatorCache.put(raw, c)
	return c, nil
}
