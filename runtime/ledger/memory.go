package ledger

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/google/btree"
)

// ErrMVCCConflict is returned by Memory.Commit when a key read by the pending transaction changed after it was
// read (Fabric's MVCC_READ_CONFLICT / PHANTOM_READ_CONFLICT).
var ErrMVCCConflict = errors.New("mvcc read conflict")

type entry struct {
	value   []byte
	version Version
}

// Memory is an in-memory, versioned world state. Its own State methods act on one default pending transaction:
// they read committed state and record a read/write set; Commit validates the reads (MVCC) and applies the writes
// at a new block; Rollback drops them. Begin starts further independent transactions (Tx), as concurrent
// endorsements would, whose commits can then conflict. Memory is safe for concurrent use. Use NewMemory (or
// json.Unmarshal into a zero Memory).
//
// Like a Fabric peer, Memory records a write of an empty value as a delete (Fabric's rwsetutil sets
// IsDelete = len(value) == 0), so a key never holds an empty value. Public keys are kept ordered: point reads
// cost O(log n) and a range read, or its validation at commit, O(log n + k) for the k entries it covers.
type Memory struct {
	mu      sync.Mutex
	public  *btree.BTreeG[item] // committed public state, ordered by key; see memory_index.go
	private map[string]map[string]entry
	height  uint64
	def     *Tx // the default transaction behind Memory's own State methods
}

// Tx is one pending transaction on a Memory; it implements State. A Tx is safe for concurrent use.
type Tx struct {
	m   *Memory
	tx  pending
	gen uint64 // bumped when the transaction ends, so stale iterators stop recording
}

type pending struct {
	rw       RWSet
	readSeen map[string]bool
	writeIdx map[string]int
	privIdx  map[string]map[string]int
	privSeen map[string]map[string]bool
}

// NewMemory returns an empty Memory at height 0.
func NewMemory() *Memory {
	return &Memory{public: newTree(), private: map[string]map[string]entry{}}
}

// Begin starts a new transaction on m, independent of m's default one.
func (m *Memory) Begin() *Tx { return &Tx{m: m} }

func (m *Memory) deftx() *Tx {
	if m.def == nil {
		m.def = &Tx{m: m}
	}
	return m.def
}

// GetState implements State on m's default transaction (see Tx.GetState).
func (m *Memory) GetState(key string) ([]byte, error) { return m.deftx().GetState(key) }

// PutState implements State on m's default transaction.
func (m *Memory) PutState(key string, value []byte) error { return m.deftx().PutState(key, value) }

// DelState implements State on m's default transaction.
func (m *Memory) DelState(key string) error { return m.deftx().DelState(key) }

// GetStateByRange implements State on m's default transaction.
func (m *Memory) GetStateByRange(startKey, endKey string) (Iterator, error) {
	return m.deftx().GetStateByRange(startKey, endKey)
}

// GetPrivateData implements State on m's default transaction.
func (m *Memory) GetPrivateData(collection, key string) ([]byte, error) {
	return m.deftx().GetPrivateData(collection, key)
}

// PutPrivateData implements State on m's default transaction.
func (m *Memory) PutPrivateData(collection, key string, value []byte) error {
	return m.deftx().PutPrivateData(collection, key, value)
}

// DelPrivateData implements State on m's default transaction.
func (m *Memory) DelPrivateData(collection, key string) error {
	return m.deftx().DelPrivateData(collection, key)
}

// RWSet returns a deep copy of the default transaction's read/write set.
func (m *Memory) RWSet() RWSet { return m.deftx().RWSet() }

// Rollback drops the default transaction.
func (m *Memory) Rollback() { m.deftx().Rollback() }

// Commit commits the default transaction (see Tx.Commit).
//
// # Errors
//
// As Tx.Commit.
func (m *Memory) Commit() (RWSet, error) { return m.deftx().Commit() }

// GetState implements State. It records the read with the committed version (nil when absent).
func (t *Tx) GetState(key string) ([]byte, error) {
	m := t.m
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.get(key)
	t.recordRead(key, e, ok)
	if !ok {
		return nil, nil
	}
	return slices.Clone(e.value), nil
}

// PutState implements State: it records a write in the pending transaction; an empty (or nil) value records a
// delete, as Fabric does.
func (t *Tx) PutState(key string, value []byte) error {
	m := t.m
	if key == "" {
		return errors.New("ledger: PutState: empty key")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t.tx.write(&t.tx.rw.Writes, &t.tx.writeIdx, writeOf(key, value))
	return nil
}

// writeOf is the write Fabric records for PutState(key, value): a delete when value is empty.
func writeOf(key string, value []byte) Write {
	if len(value) == 0 {
		return Write{Key: key, IsDelete: true}
	}
	return Write{Key: key, Value: slices.Clone(value)}
}

// DelState implements State: it records a delete in the pending transaction.
func (t *Tx) DelState(key string) error {
	m := t.m
	if key == "" {
		return errors.New("ledger: DelState: empty key")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t.tx.write(&t.tx.rw.Writes, &t.tx.writeIdx, Write{Key: key, IsDelete: true})
	return nil
}

// GetStateByRange implements State over the committed state as of this call: later commits do not change what
// the iterator returns. Entries are read lazily, so reading k entries costs O(log n + k) whatever the range's size.
func (t *Tx) GetStateByRange(startKey, endKey string) (Iterator, error) {
	m := t.m
	m.mu.Lock()
	defer m.mu.Unlock()
	t.tx.rw.RangeReads = append(t.tx.rw.RangeReads, RangeRead{StartKey: startKey, EndKey: endKey})
	return &memIterator{m: m, t: t, gen: t.gen, idx: len(t.tx.rw.RangeReads) - 1,
		snap: m.tree().Clone(), next: startKey, end: endKey}, nil
}

// GetPrivateData implements State.
func (t *Tx) GetPrivateData(collection, key string) ([]byte, error) {
	m := t.m
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.private[collection][key]
	if t.tx.privSeen == nil {
		t.tx.privSeen = map[string]map[string]bool{}
	}
	if t.tx.privSeen[collection] == nil {
		t.tx.privSeen[collection] = map[string]bool{}
	}
	if !t.tx.privSeen[collection][key] {
		t.tx.privSeen[collection][key] = true
		c := t.coll(collection)
		c.Reads = append(c.Reads, readOf(key, e, ok))
		t.tx.rw.Private[collection] = c
	}
	if !ok {
		return nil, nil
	}
	return slices.Clone(e.value), nil
}

// PutPrivateData implements State; an empty (or nil) value records a delete, as Fabric does.
func (t *Tx) PutPrivateData(collection, key string, value []byte) error {
	return t.privateWrite(collection, writeOf(key, value))
}

// DelPrivateData implements State.
func (t *Tx) DelPrivateData(collection, key string) error {
	return t.privateWrite(collection, Write{Key: key, IsDelete: true})
}

func (t *Tx) privateWrite(collection string, w Write) error {
	m := t.m
	if collection == "" || w.Key == "" {
		return errors.New("ledger: private data write: empty collection or key")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c := t.coll(collection)
	if t.tx.privIdx == nil {
		t.tx.privIdx = map[string]map[string]int{}
	}
	idx := t.tx.privIdx[collection]
	t.tx.write(&c.Writes, &idx, w)
	t.tx.privIdx[collection] = idx
	t.tx.rw.Private[collection] = c
	return nil
}

func (t *Tx) coll(name string) CollectionRWSet {
	if t.tx.rw.Private == nil {
		t.tx.rw.Private = map[string]CollectionRWSet{}
	}
	return t.tx.rw.Private[name]
}

func (p *pending) write(ws *[]Write, idx *map[string]int, w Write) {
	if *idx == nil {
		*idx = map[string]int{}
	}
	if i, ok := (*idx)[w.Key]; ok {
		(*ws)[i] = w
		return
	}
	(*idx)[w.Key] = len(*ws)
	*ws = append(*ws, w)
}

// recordRead keeps the first read of each key, as Fabric's read set does.
func (t *Tx) recordRead(key string, e entry, ok bool) {
	if t.tx.readSeen == nil {
		t.tx.readSeen = map[string]bool{}
	}
	if t.tx.readSeen[key] {
		return
	}
	t.tx.readSeen[key] = true
	t.tx.rw.Reads = append(t.tx.rw.Reads, readOf(key, e, ok))
}

func readOf(key string, e entry, ok bool) Read {
	r := Read{Key: key}
	if ok {
		v := e.version
		r.Version = &v
	}
	return r
}

// RWSet returns a deep copy of the transaction's read/write set.
func (t *Tx) RWSet() RWSet {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	return cloneRWSet(t.tx.rw)
}

// Rollback drops the transaction's reads and writes; t can be used again as a new transaction.
func (t *Tx) Rollback() {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	t.tx = pending{}
	t.gen++
}

// Commit validates the transaction's reads against committed state and, when they still hold, applies its
// writes at a new block (height+1, tx 0). Either way the pending transaction is cleared. It returns the committed
// read/write set. A transaction that wrote nothing still commits (and advances the height), like a Fabric block.
//
// # Errors
//
// ErrMVCCConflict (wrapped, naming the key) when a key read changed version, or a range read would now return
// different keys or versions; nothing is applied then.
func (t *Tx) Commit() (RWSet, error) {
	m := t.m
	m.mu.Lock()
	defer m.mu.Unlock()
	rw := t.tx.rw
	t.tx = pending{}
	t.gen++
	if err := m.validate(&rw); err != nil {
		return RWSet{}, err
	}
	m.height++
	v := Version{Block: m.height}
	pub := m.tree()
	for _, w := range rw.Writes {
		if w.IsDelete {
			pub.Delete(item{key: w.Key})
		} else {
			pub.ReplaceOrInsert(item{key: w.Key, e: entry{value: w.Value, version: v}})
		}
	}
	for name, c := range rw.Private {
		if len(c.Writes) == 0 {
			continue
		}
		if m.private[name] == nil {
			m.private[name] = map[string]entry{}
		}
		for _, w := range c.Writes {
			apply(m.private[name], w, v)
		}
	}
	return rw, nil
}

func apply(dst map[string]entry, w Write, v Version) {
	if w.IsDelete {
		delete(dst, w.Key)
		return
	}
	dst[w.Key] = entry{value: w.Value, version: v}
}

func (m *Memory) validate(rw *RWSet) error {
	check := func(kind string, e entry, ok bool, r Read) error {
		switch {
		case !ok && r.Version == nil:
			return nil
		case ok && r.Version != nil && *r.Version == e.version:
			return nil
		}
		return fmt.Errorf("%w: %s %q changed since it was read", ErrMVCCConflict, kind, r.Key)
	}
	for _, r := range rw.Reads {
		e, ok := m.get(r.Key)
		if err := check("key", e, ok, r); err != nil {
			return err
		}
	}
	for name, c := range rw.Private {
		for _, r := range c.Reads {
			e, ok := m.private[name][r.Key]
			if err := check(fmt.Sprintf("collection %q key", name), e, ok, r); err != nil {
				return err
			}
		}
	}
	for _, rr := range rw.RangeReads {
		if err := m.validateRange(rr); err != nil {
			return err
		}
	}
	return nil
}

// validateRange re-runs the range up to where it was read and compares keys and versions (phantom detection),
// stopping at the first difference.
func (m *Memory) validateRange(rr RangeRead) error {
	end := rr.EndKey
	if !rr.Exhausted {
		if len(rr.Reads) == 0 {
			return nil
		}
		end = rr.Reads[len(rr.Reads)-1].Key + "\x00"
	}
	i, same := 0, true
	ascend(m.tree(), rr.StartKey, end, func(it item) bool {
		if i >= len(rr.Reads) {
			same = false
			return false
		}
		r := rr.Reads[i]
		i++
		same = r.Key == it.key && r.Version != nil && *r.Version == it.e.version
		return same
	})
	if !same || i != len(rr.Reads) {
		return fmt.Errorf("%w: range [%q, %q) changed since it was read", ErrMVCCConflict, rr.StartKey, rr.EndKey)
	}
	return nil
}

// Height returns the number of the last committed block (0 when nothing was committed).
func (m *Memory) Height() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.height
}

// Get returns the committed value and version of key without recording a read.
func (m *Memory) Get(key string) (value []byte, version Version, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.get(key)
	return slices.Clone(e.value), e.version, ok
}

// GetPrivate returns the committed value and version of key in collection without recording a read.
func (m *Memory) GetPrivate(collection, key string) (value []byte, version Version, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.private[collection][key]
	return slices.Clone(e.value), e.version, ok
}

// Keys returns the committed public keys with the given prefix, sorted.
func (m *Memory) Keys(prefix string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.keysWithPrefix(prefix)
}
