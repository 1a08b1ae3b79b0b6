package ledger

import (
	"strings"

	"github.com/google/btree"
)

// The committed public state lives in a B-tree ordered by key, so a range read or its commit-time
// validation costs O(log n + k) for k entries instead of a scan and sort of every key, and a point read
// O(log n). Ranges iterate a clone of the tree: Clone is O(1) and copy-on-write, so an open iterator keeps
// reading the state as of GetStateByRange however many commits happen meanwhile, without copying the range
// up front. Private data has no range API and stays in maps.

// item is one committed key and its entry.
type item struct {
	key string
	e   entry
}

func itemLess(a, b item) bool { return a.key < b.key }

// treeDegree is the B-tree's minimum degree: nodes hold 31..63 items, few levels and cache-friendly scans.
const treeDegree = 32

func newTree() *btree.BTreeG[item] { return btree.NewG(treeDegree, itemLess) }

// tree returns the public state, creating it for a zero Memory. m.mu must be held.
func (m *Memory) tree() *btree.BTreeG[item] {
	if m.public == nil {
		m.public = newTree()
	}
	return m.public
}

// get returns the committed entry of key. m.mu must be held.
func (m *Memory) get(key string) (entry, bool) {
	it, ok := m.tree().Get(item{key: key})
	return it.e, ok
}

// ascend calls fn for each committed key in [start, end) in order until fn returns false; end "" means
// unbounded.
func ascend(t *btree.BTreeG[item], start, end string, fn func(item) bool) {
	if end == "" {
		t.AscendGreaterOrEqual(item{key: start}, fn)
		return
	}
	if start >= end {
		return
	}
	t.AscendRange(item{key: start}, item{key: end}, fn)
}

// keysWithPrefix returns the committed keys starting with prefix, in order. m.mu must be held.
func (m *Memory) keysWithPrefix(prefix string) []string {
	var keys []string
	m.tree().AscendGreaterOrEqual(item{key: prefix}, func(it item) bool {
		if !strings.HasPrefix(it.key, prefix) {
			return false
		}
		keys = append(keys, it.key)
		return true
	})
	return keys
}
