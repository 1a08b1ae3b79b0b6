package sdktest

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/medledger/medledger/runtime/ledger"
)

// Get returns the committed value of the contract's key and whether it exists.
func (h *Harness) Get(key string) ([]byte, bool) {
	v, _, ok := h.state.Get(h.ns + key)
	return v, ok
}

// GetJSON decodes the committed value of key into v and reports whether it exists; a value that is not JSON
// fitting v fails the test.
func (h *Harness) GetJSON(key string, v any) bool {
	h.t.Helper()
	b, ok := h.Get(key)
	if ok {
		if err := json.Unmarshal(b, v); err != nil {
			h.t.Fatalf("sdktest: key %q holds %q, not JSON for %T: %v", key, b, v, err)
		}
	}
	return ok
}

// GetPrivate returns the committed value of the contract's key in collection and whether it exists.
func (h *Harness) GetPrivate(collection, key string) ([]byte, bool) {
	v, _, ok := h.state.GetPrivate(collection, h.ns+key)
	return v, ok
}

// Keys returns the contract's committed world-state keys that start with prefix, sorted.
func (h *Harness) Keys(prefix string) []string {
	keys := h.state.Keys(h.ns + prefix)
	for i, k := range keys {
		keys[i] = strings.TrimPrefix(k, h.ns)
	}
	return keys
}

// Put seeds the contract's key with value (bytes or string as is, anything else JSON encoded) and commits it
// as its own block, as if an earlier transaction had written it.
func (h *Harness) Put(key string, value any) {
	h.t.Helper()
	h.seed(func() error { return h.state.PutState(h.ns+key, h.encode("Put("+key+")", value)) })
}

// PutPrivate seeds the contract's key in collection like Put.
func (h *Harness) PutPrivate(collection, key string, value any) {
	h.t.Helper()
	h.seed(func() error {
		return h.state.PutPrivateData(collection, h.ns+key, h.encode("PutPrivate("+key+")", value))
	})
}

func (h *Harness) seed(write func() error) {
	h.t.Helper()
	if err := write(); err != nil {
		h.state.Rollback()
		h.t.Fatalf("sdktest: seeding the ledger: %v", err)
	}
	if _, err := h.state.Commit(); err != nil {
		h.t.Fatalf("sdktest: seeding the ledger: %v", err)
	}
}

// Writes returns every write the harness's calls committed, in order (seeded values not included).
func (h *Harness) Writes() []Write { return slices.Clone(h.writes) }

// State returns the ledger the contract runs on (keys namespaced "ns/<name>/").
func (h *Harness) State() *ledger.Memory { return h.state }

// Height returns the ledger's block height: one block per successful call or seeded value.
func (h *Harness) Height() uint64 { return h.state.Height() }
