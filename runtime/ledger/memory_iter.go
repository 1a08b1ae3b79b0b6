package ledger

import (
	"errors"
	"slices"
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

type memIterator struct {
	m       *Memory
	t       *Tx
	gen     uint64
	idx     int // index of this range's RangeRead in the pending set
	keys    []string
	entries []entry
	pos     int
	closed  bool
}

func (it *memIterator) HasNext() bool { return !it.closed && it.pos < len(it.keys) }

func (it *memIterator) Next() (KV, error) {
	if !it.HasNext() {
		return KV{}, errors.New("ledger: iterator: no more entries")
	}
	k, e := it.keys[it.pos], it.entries[it.pos]
	it.pos++
	it.m.mu.Lock()
	if it.gen == it.t.gen { // a Rollback/Commit in between dropped the record
		rr := &it.t.tx.rw.RangeReads[it.idx]
		rr.Reads = append(rr.Reads, readOf(k, e, true))
	}
	it.m.mu.Unlock()
	return KV{Key: k, Value: slices.Clone(e.value)}, nil
}

func (it *memIterator) Close() error {
	if it.closed {
		return nil
	}
	it.closed = true
	it.m.mu.Lock()
	if it.gen == it.t.gen {
		it.t.tx.rw.RangeReads[it.idx].Exhausted = it.pos == len(it.keys)
	}
	it.m.mu.Unlock()
	return nil
}
