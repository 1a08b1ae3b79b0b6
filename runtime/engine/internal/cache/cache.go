// Package cache is a byte-bounded LRU of reference-counted values (the engine's compiled modules). Values in use
// are never evicted; the least recently released unused values are closed once the total size exceeds the bound.
// Concurrent Acquires of one missing key build it once.
package cache

import (
	"container/list"
	"sync"
	"sync/atomic"
)

// Cache maps keys to values of type V. The zero value is not usable; call New.
type Cache[V any] struct {
	mu      sync.Mutex
	max     int64
	bytes   int64
	lru     *list.List // of *Entry[V]; front = most recently used
	entries map[string]*Entry[V]
	closeV  func(V)

	hits, misses atomic.Uint64
}

// Entry is one cached value. Release it when done.
type Entry[V any] struct {
	Key   string
	Value V
	Size  int64

	c     *Cache[V]
	refs  int
	elem  *list.Element
	ready chan struct{} // closed once Value (or err) is set
	err   error
}

// New returns a cache holding at most maxBytes of unused values; closeV releases an evicted value.
func New[V any](maxBytes int64, closeV func(V)) *Cache[V] {
	return &Cache[V]{max: maxBytes, lru: list.New(), entries: map[string]*Entry[V]{}, closeV: closeV}
}

// Acquire returns the entry for key, building it with build on a miss (outside the lock; concurrent callers of the
// same key wait for the one build). hit reports whether the value was already cached or being built.
//
// # Errors
//
// build's error; the failed entry is dropped so a later Acquire retries.
func (c *Cache[V]) Acquire(key string, build func() (V, int64, error)) (e *Entry[V], hit bool, err error) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		e.refs++
		c.lru.MoveToFront(e.elem)
		c.mu.Unlock()
		c.hits.Add(1)
		<-e.ready
		if e.err != nil {
			c.Release(e)
			return nil, true, e.err
		}
		return e, true, nil
	}
	e = &Entry[V]{Key: key, c: c, refs: 1, ready: make(chan struct{})}
	e.elem = c.lru.PushFront(e)
	c.entries[key] = e
	c.mu.Unlock()
	c.misses.Add(1)

	v, size, err := build()
	c.mu.Lock()
	e.Value, e.Size, e.err = v, size, err
	if err != nil {
		c.remove(e)
	} else {
		c.bytes += size
	}
	close(e.ready)
	c.mu.Unlock()
	if err != nil {
		return nil, false, err
	}
	c.evict()
	return e, false, nil
}

// Release drops one reference to e; it may then be evicted.
func (c *Cache[V]) Release(e *Entry[V]) {
	c.mu.Lock()
	e.refs--
	c.mu.Unlock()
	c.evict()
}

func (c *Cache[V]) remove(e *Entry[V]) {
	if c.entries[e.Key] == e {
		delete(c.entries, e.Key)
		c.lru.Remove(e.elem)
	}
}

// evict closes unused entries from the least recently used end while the cache is over its bound.
func (c *Cache[V]) evict() {
	var victims []V
	c.mu.Lock()
	for el := c.lru.Back(); el != nil && c.bytes > c.max; {
		prev := el.Prev()
		e := el.Value.(*Entry[V])
		if e.refs == 0 && e.err == nil && isReady(e) {
			c.remove(e)
			c.bytes -= e.Size
			victims = append(victims, e.Value)
		}
		el = prev
	}
	c.mu.Unlock()
	for _, v := range victims {
		c.closeV(v)
	}
}

func isReady[V any](e *Entry[V]) bool {
	select {
	case <-e.ready:
		return true
	default:
		return false
	}
}

// Stats returns the hit and miss counts, the number of entries and their total size.
func (c *Cache[V]) Stats() (hits, misses uint64, entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits.Load(), c.misses.Load(), len(c.entries), c.bytes
}

// Close closes every value, in use or not, and empties the cache.
func (c *Cache[V]) Close() {
	c.mu.Lock()
	var vs []V
	for _, e := range c.entries {
		if isReady(e) && e.err == nil {
			vs = append(vs, e.Value)
		}
	}
	c.entries = map[string]*Entry[V]{}
	c.lru.Init()
	c.bytes = 0
	c.mu.Unlock()
	for _, v := range vs {
		c.closeV(v)
	}
}
