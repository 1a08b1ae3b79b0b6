package ledger

import (
	"errors"
	"slices"

	"github.com/google/btree"
)

func cloneRWSet(s RWSet) RWSet {
	out := RWSet{
		Reads:  cloneReads(s.Reads),
		Writes: cloneWrites(s.Writes),
	}
	for _, rr := range s.RangeReads {
		rr.Reads = cloneReads(rr.Reads)
		out.RangeReads = append(out.RangeReads, rr)
	}
	if s.Private != nil {
		out.Private = make(map[string]CollectionRWSet, len(s.Private))
		for k, c := range s.Private {
			out.Private[k] = CollectionRWSet{Reads: cloneReads(c.Reads), Writes: cloneWrites(c.Writes)}
		}
	}
	return out
}

func cloneReads(rs []Read) []Read {
	if rs == nil {
		return nil
	}
	out := make([]Read, len(rs))
	for i, r := range rs {
		if r.Version != nil {
			v := *r.Version
			r.Version = &v
		}
		out[i] = r
	}
	return out
}

func cloneWrites(ws []Write) []Write {
	if ws == nil {
		return nil
	}
	out := make([]Write, len(ws))
	for i, w := range ws {
		w.Value = slices.Clone(w.Value)
		out[i] = w
	}
	return out
}

// iterBatch is how many entries a range iterator takes from its snapshot at a time.
const iterBatch = 64

// memIterator reads a range lazily from a copy-on-write snapshot of the tree taken when the range started.
type memIterator struct {
	m      *Memory
	t      *Tx
	gen    uint64
	idx    int // index of this range's RangeRead in the pending set
	snap   *btree.BTreeG[item]
	next   string // the key to continue from (inclusive)
	end    string // exclusive; "" is unbounded
	buf    []item // fetched, not yet returned: a suffix of store
	store  []item
	done   bool // nothing in the range after buf
	closed bool
}

// fill fetches the next batch when the buffer is empty.
func (it *memIterator) fill() {
	if len(it.buf) > 0 || it.done {
		return
	}
	if it.store == nil {
		it.store = make([]item, 0, iterBatch)
	}
	it.buf = it.store[:0]
	ascend(it.snap, it.next, it.end, func(x item) bool {
		it.buf = append(it.buf, x)
		return len(it.buf) < iterBatch
	})
	if len(it.buf) < iterBatch {
		it.done = true
	}
	if n := len(it.buf); n > 0 {
		it.next = it.buf[n-1].key + "\x00" // the smallest key after the last one fetched
	}
}

func (it *memIterator) HasNext() bool {
	if it.closed {
		return false
	}
	it.fill()
	return len(it.buf) > 0
}

func (it *memIterator) Next() (KV, error) {
	if !it.HasNext() {
		return KV{}, errors.New("ledger: iterator: no more entries")
	}
	x := it.buf[0]
	it.buf = it.buf[1:]
	it.m.mu.Lock()
	if it.gen == it.t.gen { // a Rollback/Commit in between dropped the record
		rr := &it.t.tx.rw.RangeReads[it.idx]
		rr.Reads = append(rr.Reads, readOf(x.key, x.e, true))
	}
	it.m.mu.Unlock()
	return KV{Key: x.key, Value: slices.Clone(x.e.value)}, nil
}

func (it *memIterator) Close() error {
	if it.closed {
		return nil
	}
	exhausted := !it.HasNext() // every entry of the range was returned
	it.closed, it.buf, it.store, it.snap = true, nil, nil, nil
	it.m.mu.Lock()
	if it.gen == it.t.gen {
		it.t.tx.rw.RangeReads[it.idx].Exhausted = exhausted
	}
	it.m.mu.Unlock()
	return nil
}
