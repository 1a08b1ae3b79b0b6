package peertest

import (
	"maps"
	"sort"
)

// Read is one read: the key and the version read (nil when absent).
type Read struct {
	Key     string
	Version *Version
}

// Write is one write or delete.
type Write struct {
	Key      string
	Value    []byte
	IsDelete bool
}

// RangeQuery is one range query and what it read.
type RangeQuery struct {
	StartKey, EndKey string
	Exhausted        bool
	Reads            []Read
}

// CollectionRWSet is the read/write set of one private data collection.
type CollectionRWSet struct {
	Reads  []Read
	Writes []Write
}

// RWSet is a simulation's read/write set in the shape Fabric builds it: reads and writes each keyed once and
// sorted by key (so two peers' sets compare equal exactly when Fabric's would), range queries in order.
type RWSet struct {
	Reads          []Read
	RangeQueries   []RangeQuery
	Writes         []Write
	MetadataWrites map[string]map[string][]byte
	Private        map[string]CollectionRWSet
}

type rwBuilder struct {
	reads    map[string]*Version
	ranges   []*RangeQuery
	writes   map[string]Write
	metadata map[string]map[string][]byte
	pReads   map[string]map[string]*Version
	pWrites  map[string]map[string]Write
}

func newRWBuilder() *rwBuilder {
	return &rwBuilder{reads: map[string]*Version{}, writes: map[string]Write{}, metadata: map[string]map[string][]byte{},
		pReads: map[string]map[string]*Version{}, pWrites: map[string]map[string]Write{}}
}

func (b *rwBuilder) read(key string, e entry, ok bool) {
	if _, seen := b.reads[key]; seen {
		return // Fabric keeps the first read of a key
	}
	if !ok {
		b.reads[key] = nil
		return
	}
	v := e.version
	b.reads[key] = &v
}

func (b *rwBuilder) write(key string, value []byte) {
	b.writes[key] = Write{Key: key, Value: append([]byte(nil), value...), IsDelete: len(value) == 0}
}

func (b *rwBuilder) privateRead(coll, key string, e entry, ok bool) {
	if b.pReads[coll] == nil {
		b.pReads[coll] = map[string]*Version{}
	}
	if _, seen := b.pReads[coll][key]; seen {
		return
	}
	if !ok {
		b.pReads[coll][key] = nil
		return
	}
	v := e.version
	b.pReads[coll][key] = &v
}

func (b *rwBuilder) privateWrite(coll, key string, value []byte) {
	if b.pWrites[coll] == nil {
		b.pWrites[coll] = map[string]Write{}
	}
	b.pWrites[coll][key] = Write{Key: key, Value: append([]byte(nil), value...), IsDelete: len(value) == 0}
}

func (b *rwBuilder) hasWrites() bool {
	if len(b.writes) > 0 || len(b.metadata) > 0 {
		return true
	}
	for _, w := range b.pWrites {
		if len(w) > 0 {
			return true
		}
	}
	return false
}

func (b *rwBuilder) build() RWSet {
	var s RWSet
	for _, k := range sortedKeys(b.reads) {
		s.Reads = append(s.Reads, Read{Key: k, Version: b.reads[k]})
	}
	for _, r := range b.ranges {
		s.RangeQueries = append(s.RangeQueries, RangeQuery{StartKey: r.StartKey, EndKey: r.EndKey, Exhausted: r.Exhausted, Reads: append([]Read(nil), r.Reads...)})
	}
	for _, k := range sortedKeys(b.writes) {
		s.Writes = append(s.Writes, b.writes[k])
	}
	if len(b.metadata) > 0 {
		s.MetadataWrites = map[string]map[string][]byte{}
		for k, md := range b.metadata {
			s.MetadataWrites[k] = maps.Clone(md)
		}
	}
	colls := map[string]bool{}
	for c := range b.pReads {
		colls[c] = true
	}
	for c := range b.pWrites {
		colls[c] = true
	}
	for c := range colls {
		if s.Private == nil {
			s.Private = map[string]CollectionRWSet{}
		}
		var cs CollectionRWSet
		for _, k := range sortedKeys(b.pReads[c]) {
			cs.Reads = append(cs.Reads, Read{Key: k, Version: b.pReads[c][k]})
		}
		for _, k := range sortedKeys(b.pWrites[c]) {
			cs.Writes = append(cs.Writes, b.pWrites[c][k])
		}
		s.Private[c] = cs
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
