package host

import (
	"context"
	"sort"

	"github.com/tetratelabs/wazero/api"

	"github.com/medledger/medledger/runtime/abi"
	"github.com/medledger/medledger/runtime/ledger"
)

// rangeBound reads an optional key argument (empty allowed) of state_range.
func (c *Call) rangeBound(mod api.Module, arg string, ptr, n uint64) string {
	n = uint64(uint32(n))
	if n == 0 {
		return ""
	}
	if n > uint64(c.Limits.MaxKeyBytes) {
		panic(trapf(KindLimit, "%s: %s is %d bytes, limit %d", abi.FnStateRange, arg, n, c.Limits.MaxKeyBytes))
	}
	b := bytesAt(mod, abi.FnStateRange, arg, ptr, n)
	if err := abi.ValidateKey(b, c.Limits.MaxKeyBytes); err != nil {
		panic(trapf(KindABI, "%s: %s: %v", abi.FnStateRange, arg, err))
	}
	return string(b)
}

// stateRange serves one page of [start, end) within the contract's namespace, merging the ledger with the call's
// buffered writes. It always returns at least one entry when one exists (so paging progresses even past a value
// above MaxRangeBytes), then stops at MaxRangePage entries or MaxRangeBytes of keys and values.
func stateRange(ctx context.Context, mod api.Module, stack []uint64) {
	c := live(ctx, abi.FnStateRange)
	c.chargeBytes(abi.FnStateRange, uint64(uint32(stack[1]))+uint64(uint32(stack[3]))+uint64(uint32(stack[5])))
	start := c.rangeBound(mod, "start", stack[0], stack[1])
	end := c.rangeBound(mod, "end", stack[2], stack[3])
	bookmark := c.rangeBound(mod, "bookmark", stack[4], stack[5])
	pageSize := int(int32(uint32(stack[6])))
	if pageSize <= 0 || pageSize > c.Limits.MaxRangePage {
		pageSize = c.Limits.MaxRangePage
	}
	if bookmark > start {
		start = bookmark
	}
	nsStart := c.NS + start
	nsEnd := c.NS[:len(c.NS)-1] + "0" // NS ends in "/" and "0" follows "/": just past every "ns/<c>/..." key
	if end != "" {
		nsEnd = c.NS + end
	}
	page := abi.RangePage{}
	if nsStart < nsEnd {
		page = c.rangePage(nsStart, nsEnd, pageSize)
	}
	c.rangeBuf = abi.AppendRangePage(c.rangeBuf[:0], &page)
	stack[0] = c.setRegister(abi.FnStateRange, c.rangeBuf)
}

func (c *Call) rangePage(nsStart, nsEnd string, pageSize int) abi.RangePage {
	it, err := c.State.GetStateByRange(nsStart, nsEnd)
	if err != nil {
		panic(ledgerTrap(abi.FnStateRange, err))
	}
	defer it.Close()

	var overlay []write
	for _, w := range c.writes {
		if w.coll == "" && w.key >= nsStart && w.key < nsEnd {
			overlay = append(overlay, w)
		}
	}
	sort.Slice(overlay, func(i, j int) bool { return overlay[i].key < overlay[j].key })

	var cur *ledger.KV
	next := func() (string, []byte, bool) {
		for {
			if cur == nil && it.HasNext() {
				kv, err := it.Next()
				if err != nil {
					panic(ledgerTrap(abi.FnStateRange, err))
				}
				cur = &kv
			}
			switch {
			case cur == nil && len(overlay) == 0:
				return "", nil, false
			case len(overlay) > 0 && (cur == nil || overlay[0].key <= cur.Key):
				w := overlay[0]
				overlay = overlay[1:]
				if cur != nil && cur.Key == w.key {
					cur = nil // the buffered write shadows the ledger's value
				}
				if w.del {
					continue
				}
				return w.key, w.value, true
			default:
				kv := *cur
				cur = nil
				return kv.Key, kv.Value, true
			}
		}
	}

	var page abi.RangePage
	size := 0
	for {
		k, v, ok := next()
		if !ok {
			return page
		}
		n := len(k) - len(c.NS) + len(v)
		if len(page.Entries) == pageSize || len(page.Entries) > 0 && size+n > c.Limits.MaxRangeBytes {
			page.Bookmark = k[len(c.NS):]
			return page
		}
		size += n
		page.Entries = append(page.Entries, abi.KV{Key: k[len(c.NS):], Value: v})
	}
}
