package cache

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func newTest(max int64) (*Cache[string], *[]string) {
	var closed []string
	var mu sync.Mutex
	c := New(max, func(v string) { mu.Lock(); closed = append(closed, v); mu.Unlock() })
	return c, &closed
}

func build(v string, size int64) func() (string, int64, error) {
	return func() (string, int64, error) { return v, size, nil }
}

func TestCache_Acquire(t *testing.T) {
	c, closed := newTest(10)
	a, hit, err := c.Acquire("a", build("A", 6))
	if err != nil || hit || a.Value != "A" {
		t.Fatalf("first acquire = %v, %v, %v", a, hit, err)
	}
	a2, hit, _ := c.Acquire("a", build("other", 6))
	if !hit || a2 != a {
		t.Fatal("second acquire did not hit")
	}
	c.Release(a)
	c.Release(a2)
	b, _, _ := c.Acquire("b", build("B", 6)) // 12 > 10: the unused "a" is evicted
	if len(*closed) != 1 || (*closed)[0] != "A" {
		t.Fatalf("closed = %v, want [A]", *closed)
	}
	// In use, "b" is never evicted even when over the bound.
	d, _, _ := c.Acquire("d", build("D", 20))
	if len(*closed) != 1 {
		t.Fatalf("closed in-use values: %v", *closed)
	}
	c.Release(d) // now unused and over the bound: evicted (LRU end first among unused)
	if len(*closed) != 2 || (*closed)[1] != "D" {
		t.Fatalf("closed = %v, want [A D]", *closed)
	}
	h, m, n, bytes := c.Stats()
	if h != 1 || m != 3 || n != 1 || bytes != 6 {
		t.Fatalf("stats = %d hits %d misses %d entries %d bytes", h, m, n, bytes)
	}
	c.Release(b)
	c.Close()
	if len(*closed) != 3 {
		t.Fatalf("Close closed %v", *closed)
	}
}

func TestCache_Acquire_Errors(t *testing.T) {
	c, _ := newTest(10)
	boom := errors.New("boom")
	if _, _, err := c.Acquire("a", func() (string, int64, error) { return "", 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	// The failure is not cached: the next Acquire builds again.
	e, hit, err := c.Acquire("a", build("A", 1))
	if err != nil || hit || e.Value != "A" {
		t.Fatalf("retry = %v, %v, %v", e, hit, err)
	}
}

func TestCache_Acquire_Concurrent(t *testing.T) {
	c, _ := newTest(100)
	var builds atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, _, err := c.Acquire("k", func() (string, int64, error) {
				builds.Add(1)
				<-release
				return "V", 1, nil
			})
			if err != nil || e.Value != "V" {
				t.Errorf("acquire = %v, %v", e, err)
			}
		}()
	}
	close(release)
	wg.Wait()
	if builds.Load() != 1 {
		t.Fatalf("built %d times, want once", builds.Load())
	}
}
