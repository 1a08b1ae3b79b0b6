package host

import (
	"context"

	"github.com/tetratelabs/wazero/api"

	"github.com/medledger/medledger/runtime/abi"
)

// key reads and validates a key argument and returns its namespaced form.
func (c *Call) key(mod api.Module, fn string, ptr, n uint64) string {
	n = uint64(uint32(n))
	if n > uint64(c.Limits.MaxKeyBytes) {
		panic(trapf(KindLimit, "%s: key is %d bytes, limit %d", fn, n, c.Limits.MaxKeyBytes))
	}
	k := bytesAt(mod, fn, "key", ptr, n)
	if err := abi.ValidateKey(k, c.Limits.MaxKeyBytes); err != nil {
		panic(trapf(KindABI, "%s: %v", fn, err))
	}
	return abi.NamespacedKey(c.Contract, k)
}

func collection(mod api.Module, fn string, ptr, n uint64) string {
	n = uint64(uint32(n))
	if n > abi.MaxCollectionBytes {
		panic(trapf(KindABI, "%s: collection name is %d bytes, limit %d", fn, n, abi.MaxCollectionBytes))
	}
	b := bytesAt(mod, fn, "coll", ptr, n)
	if err := abi.ValidateCollection(b); err != nil {
		panic(trapf(KindABI, "%s: %v", fn, err))
	}
	return string(b)
}

func (c *Call) value(mod api.Module, fn string, ptr, n uint64) []byte {
	n = uint64(uint32(n))
	if n > uint64(c.Limits.MaxValueBytes) {
		panic(trapf(KindLimit, "%s: value is %d bytes, limit %d", fn, n, c.Limits.MaxValueBytes))
	}
	return append([]byte{}, bytesAt(mod, fn, "val", ptr, n)...)
}

func ledgerTrap(fn string, err error) *Trap {
	return &Trap{Kind: KindHost, Msg: fn + ": ledger: " + err.Error(), Cause: err}
}

// get serves a point read: the call's own buffered write first, then the ledger.
func (c *Call) get(fn, coll, key string) uint64 {
	if i, ok := c.writeIdx[wkey{coll, key}]; ok {
		w := c.writes[i]
		if w.del {
			return absent
		}
		return c.setRegister(fn, w.value)
	}
	var v []byte
	var err error
	if coll == "" {
		v, err = c.State.GetState(key)
	} else {
		v, err = c.State.GetPrivateData(coll, key)
	}
	if err != nil {
		panic(ledgerTrap(fn, err))
	}
	if len(v) == 0 { // absent; a Fabric peer cannot hold an empty value (ABI.md §3 state_put)
		return absent
	}
	return c.setRegister(fn, v)
}

// put buffers a write or delete; the first write of a key counts against MaxWrites.
func (c *Call) put(fn string, w write) {
	k := wkey{w.coll, w.key}
	if i, ok := c.writeIdx[k]; ok {
		c.writes[i] = w
		return
	}
	if len(c.writes) >= c.Limits.MaxWrites {
		panic(trapf(KindLimit, "%s: more than %d keys written in one call", fn, c.Limits.MaxWrites))
	}
	if c.writeIdx == nil {
		c.writeIdx = make(map[wkey]int)
	}
	c.writeIdx[k] = len(c.writes)
	c.writes = append(c.writes, w)
}

func stateGet(ctx context.Context, mod api.Module, stack []uint64) {
	c := live(ctx, abi.FnStateGet)
	c.chargeBytes(abi.FnStateGet, uint64(uint32(stack[1])))
	stack[0] = c.get(abi.FnStateGet, "", c.key(mod, abi.FnStateGet, stack[0], stack[1]))
}

// putOf is the write for a put of v: a delete when v is empty, because Fabric records an empty value as a delete
// (rwsetutil: IsDelete = len(value) == 0). Doing it here makes every State, and the call's own reads, agree.
func putOf(coll, key string, v []byte) write {
	if len(v) == 0 {
		return write{coll: coll, key: key, del: true}
	}
	return write{coll: coll, key: key, value: v}
}

func statePut(ctx context.Context, mod api.Module, stack []uint64) {
	c := live(ctx, abi.FnStatePut)
	c.chargeBytes(abi.FnStatePut, uint64(uint32(stack[1]))+uint64(uint32(stack[3])))
	k := c.key(mod, abi.FnStatePut, stack[0], stack[1])
	c.put(abi.FnStatePut, putOf("", k, c.value(mod, abi.FnStatePut, stack[2], stack[3])))
}

func stateDelete(ctx context.Context, mod api.Module, stack []uint64) {
	c := live(ctx, abi.FnStateDelete)
	c.chargeBytes(abi.FnStateDelete, uint64(uint32(stack[1])))
	c.put(abi.FnStateDelete, write{key: c.key(mod, abi.FnStateDelete, stack[0], stack[1]), del: true})
}

func privateGet(ctx context.Context, mod api.Module, stack []uint64) {
	c := live(ctx, abi.FnPrivateGet)
	c.chargeBytes(abi.FnPrivateGet, uint64(uint32(stack[1]))+uint64(uint32(stack[3])))
	coll := collection(mod, abi.FnPrivateGet, stack[0], stack[1])
	stack[0] = c.get(abi.FnPrivateGet, coll, c.key(mod, abi.FnPrivateGet, stack[2], stack[3]))
}

func privatePut(ctx context.Context, mod api.Module, stack []uint64) {
	c := live(ctx, abi.FnPrivatePut)
	c.chargeBytes(abi.FnPrivatePut, uint64(uint32(stack[1]))+uint64(uint32(stack[3]))+uint64(uint32(stack[5])))
	coll := collection(mod, abi.FnPrivatePut, stack[0], stack[1])
	k := c.key(mod, abi.FnPrivatePut, stack[2], stack[3])
	c.put(abi.FnPrivatePut, putOf(coll, k, c.value(mod, abi.FnPrivatePut, stack[4], stack[5])))
}

func privateDelete(ctx context.Context, mod api.Module, stack []uint64) {
	c := live(ctx, abi.FnPrivateDelete)
	c.chargeBytes(abi.FnPrivateDelete, uint64(uint32(stack[1]))+uint64(uint32(stack[3])))
	coll := collection(mod, abi.FnPrivateDelete, stack[0], stack[1])
	c.put(abi.FnPrivateDelete, write{coll: coll, key: c.key(mod, abi.FnPrivateDelete, stack[2], stack[3]), del: true})
}

// absent is abi.Absent (-1) as the i64 bit pattern on wazero's stack.
const absent = ^uint64(0)
