package peertest

import (
	"maps"
	"sort"
	"time"
)

// Version is a committed value's version: the block that wrote it (one transaction per block here).
type Version struct {
	Block uint64
	Tx    uint64
}

type entry struct {
	value    []byte
	version  Version
	metadata map[string][]byte
}

type modification struct {
	txID     string
	value    []byte
	ts       time.Time
	isDelete bool
}

// world is the committed state.
type world struct {
	public  map[string]entry
	private map[string]map[string]entry
	history map[string][]modification // oldest first
}

func newWorld() *world {
	return &world{public: map[string]entry{}, private: map[string]map[string]entry{}, history: map[string][]modification{}}
}

func (w *world) get(key string) entry { return w.public[key] }

func (w *world) put(key string, value []byte, v Version, txID string, ts time.Time) {
	e := w.public[key]
	if len(value) == 0 {
		delete(w.public, key)
		w.history[key] = append(w.history[key], modification{txID: txID, ts: ts, isDelete: true})
		return
	}
	e.value, e.version = append([]byte(nil), value...), v
	w.public[key] = e
	w.history[key] = append(w.history[key], modification{txID: txID, value: e.value, ts: ts})
}

// sortedKeys returns the public keys in [start, end) in byte order; empty end is unbounded.
func (w *world) sortedKeys(start, end string) []string {
	var out []string
	for k := range w.public {
		if k >= start && (end == "" || k < end) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// apply commits a transaction's writes.
func (w *world) apply(v Version, tx *txContext, rw RWSet) {
	for _, wr := range rw.Writes {
		w.put(wr.Key, wr.Value, v, tx.id, tx.ts)
	}
	for key, md := range rw.MetadataWrites {
		e, ok := w.public[key]
		if !ok {
			continue // Fabric drops metadata of a key that does not exist
		}
		e.metadata = maps.Clone(md)
		w.public[key] = e
	}
	for coll, c := range rw.Private {
		if w.private[coll] == nil {
			w.private[coll] = map[string]entry{}
		}
		for _, wr := range c.Writes {
			if wr.IsDelete {
				delete(w.private[coll], wr.Key)
				continue
			}
			w.private[coll][wr.Key] = entry{value: append([]byte(nil), wr.Value...), version: v}
		}
	}
}

func (w *world) clone() *world {
	c := newWorld()
	for k, e := range w.public {
		e.metadata = maps.Clone(e.metadata)
		c.public[k] = e
	}
	for coll, m := range w.private {
		c.private[coll] = maps.Clone(m)
	}
	for k, h := range w.history {
		c.history[k] = append([]modification(nil), h...)
	}
	return c
}
