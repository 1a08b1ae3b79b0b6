package sdk

import (
	"encoding/json"
	"fmt"
	"time"
)

// Context is a handler's view of the transaction it runs in: world state, private data, events, the caller's
// identity, the transaction id and time, and the log. It is valid only during the handler call it was passed to.
//
// Writes (PutState, DelState, private data, events) are buffered by the host and kept only if the handler
// succeeds; reads see the call's own earlier writes. Methods that take a key end the call with a trap when the
// host refuses the key or value: an empty key, a key longer than the host's MaxKeyBytes (1 KiB by default), not
// valid UTF-8 or containing 0x00, a value over the value limit (1 MiB), more writes than the per-call limit.
type Context struct {
	call *callState
}

// callState is what the SDK caches for one call; reset before every dispatch.
type callState struct {
	function string
	caller   *Identity
	txID     string
}

// Function returns the name of the contract function being called.
func (c Context) Function() string { return c.call.function }

// GetState returns the value of key in the contract's world state and whether it exists.
func (c Context) GetState(key string) (value []byte, found bool) {
	v := takeRegister(abiStateGet(key))
	return v, v != nil
}

// PutState writes key = value. An empty value deletes key (ABI.md §3), because Fabric records an empty value as a
// delete: a key that must exist needs at least one byte.
func (c Context) PutState(key string, value []byte) {
	abiStatePut(key, bytesToString(value))
}

// DelState deletes key; deleting an absent key is not an error.
func (c Context) DelState(key string) {
	abiStateDelete(key)
}

// GetJSON decodes the JSON value of key into v and reports whether the key exists; v is untouched if it does not.
//
// # Errors
//
//   - the stored value is not JSON that fits v: an *Error with code Internal naming the key.
func (c Context) GetJSON(key string, v any) (found bool, err error) {
	b, ok := c.GetState(key)
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, NewError(Internal, fmt.Sprintf("state key %q does not hold the expected JSON: %v", key, err))
	}
	return true, nil
}

// PutJSON writes the JSON encoding of v to key.
//
// # Errors
//
//   - v cannot be JSON encoded (a channel, a func, a cycle): an *Error with code Internal naming the key.
func (c Context) PutJSON(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return NewError(Internal, fmt.Sprintf("cannot encode state key %q: %v", key, err))
	}
	c.PutState(key, b)
	return nil
}

// Emit records the event name with payload, delivered to listeners only if the call succeeds. A []byte or string
// payload is sent as is, nil as empty, anything else JSON encoded. The host allows 16 events per call by default,
// names up to 128 bytes and payloads up to 64 KiB; past that the call traps.
//
// # Errors
//
//   - payload cannot be JSON encoded: an *Error with code Internal naming the event; nothing is emitted.
func (c Context) Emit(name string, payload any) error {
	var p string
	switch v := payload.(type) {
	case nil:
	case []byte:
		p = bytesToString(v)
	case string:
		p = v
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return NewError(Internal, fmt.Sprintf("cannot encode event %q: %v", name, err))
		}
		p = bytesToString(b)
	}
	abiEventEmit(name, p)
	return nil
}

// Caller returns the identity that submitted the transaction. It is read from the host once per call.
// A malformed identity from the host (an ABI mismatch) fails the call with a message saying so.
func (c Context) Caller() Identity {
	if c.call.caller == nil {
		id, err := parseIdentity(takeRegister(abiCaller()))
		if err != nil {
			panic(NewError(Internal, err.Error()))
		}
		c.call.caller = &id
	}
	return *c.call.caller
}

// TxID returns the transaction id.
func (c Context) TxID() string {
	if c.call.txID == "" {
		c.call.txID = string(takeRegister(abiTxID()))
	}
	return c.call.txID
}

// TxTime returns the transaction timestamp in UTC: the same on every peer, so safe to store and compare.
func (c Context) TxTime() time.Time {
	return time.Unix(0, abiTxTimestamp()).UTC()
}

// Level is the severity of a log line.
type Level uint32

// Log levels, as numbered by the ABI.
const (
	LevelDebug Level = 0
	LevelInfo  Level = 1
	LevelWarn  Level = 2
	LevelError Level = 3
)

// Log writes msg to the call's log at level. The log is bounded per call (16 KiB by default, then truncated)
// and never affects results. It may reach peer logs: never log patient data or secrets.
func (c Context) Log(level Level, msg string) {
	abiLog(uint32(level), msg)
}

// Logf formats like fmt.Sprintf and logs at level; see Log.
func (c Context) Logf(level Level, format string, args ...any) {
	abiLog(uint32(level), fmt.Sprintf(format, args...))
}
