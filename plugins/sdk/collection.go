package sdk

import (
	"encoding/json"
	"fmt"
)

// Collection is a private data collection: values are shared only among the organisations in the collection's
// policy, and the ledger holds their hashes. Keys follow the same rules as world-state keys.
type Collection struct {
	name string
}

// Private returns the private data collection name, e.g. "patientRecords" or "_implicit_org_Hospital1MSP".
// Collection names are 1–128 bytes of [A-Za-z0-9_.-]; the host traps on any other name when it is used.
func (c Context) Private(name string) Collection {
	return Collection{name: name}
}

// Name returns the collection's name.
func (p Collection) Name() string { return p.name }

// Get returns the value of key in the collection and whether it exists.
func (p Collection) Get(key string) (value []byte, found bool) {
	v := takeRegister(abiPrivateGet(p.name, key))
	return v, v != nil
}

// Put writes key = value in the collection; an empty value deletes key, as for Context.PutState.
func (p Collection) Put(key string, value []byte) {
	abiPrivatePut(p.name, key, bytesToString(value))
}

// Delete deletes key from the collection; deleting an absent key is not an error.
func (p Collection) Delete(key string) {
	abiPrivateDelete(p.name, key)
}

// GetJSON decodes the JSON value of key into v and reports whether the key exists; v is untouched if it does not.
//
// # Errors
//
//   - the stored value is not JSON that fits v: an *Error with code Internal naming collection and key.
func (p Collection) GetJSON(key string, v any) (found bool, err error) {
	b, ok := p.Get(key)
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, NewError(Internal, fmt.Sprintf("private key %q in %q does not hold the expected JSON: %v", key, p.name, err))
	}
	return true, nil
}

// PutJSON writes the JSON encoding of v to key in the collection.
//
// # Errors
//
//   - v cannot be JSON encoded: an *Error with code Internal naming collection and key.
func (p Collection) PutJSON(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return NewError(Internal, fmt.Sprintf("cannot encode private key %q in %q: %v", key, p.name, err))
	}
	p.Put(key, b)
	return nil
}
