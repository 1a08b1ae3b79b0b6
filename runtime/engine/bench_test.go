package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// consentArgs is the realistic small call: the guest reads two keys, decodes these arguments as JSON and writes
// one key.
var consentArgs = []byte(`{"patient":"p1","grantee":"dr-house","scope":"radiology","grant":true}`)

func benchState() *ledger.Memory {
	st := ledger.NewMemory()
	_ = st.PutState("ns/consent/patient/p1", []byte(`{"name":"Jane Doe","born":"1980-02-01"}`))
	_ = st.PutState("ns/consent/consent/p1/dr-house", []byte(`{"patient":"p1","grantee":"dr-house","scopes":["labs"],"version":3}`))
	if _, err := st.Commit(); err != nil {
		panic(err)
	}
	return st
}

// BenchmarkCall measures one realistic call per isolation mode, all in one run so the ratios hold on a noisy
// machine. p50-µs and p90-µs are latency percentiles; ns/op is the mean, which scheduling noise on a loaded
// machine inflates most.
func BenchmarkCall(b *testing.B) {
	ctx := context.Background()
	e := newEngine(b, engine.NewConfig())
	wasm := guest(b)
	b.Logf("guest module: %d bytes", len(wasm))
	for _, iso := range []engine.Isolation{engine.Snapshot, engine.Fresh, engine.Pooled} {
		c, err := e.Load(ctx, "consent", wasm, engine.ContractConfig{Isolation: iso})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(iso.String(), func(b *testing.B) {
			st := benchState()
			call := engine.Call{Function: "consent", Args: consentArgs, State: st, TxID: "tx-1", Timestamp: time.Unix(1_700_000_000, 0)}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				res, err := c.Call(ctx, call)
				lat = append(lat, time.Since(t0))
				if err != nil || res.Writes != 1 {
					b.Fatalf("call: %v (writes %d)", err, res.Writes)
				}
				st.Rollback()
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds()), "p90-µs")
		})
		_ = c.Close(ctx)
	}
}

// BenchmarkCompile measures loading the guest into a new Engine: cold (empty disk cache: full compilation) and
// disk (a restarted process: compiled code read from the disk cache). A cold compile takes seconds, so each
// sub-benchmark times exactly one Load per invocation, whatever b.N is, and reports its compile step as ns/op.
func BenchmarkCompile(b *testing.B) {
	ctx := context.Background()
	wasm := guest(b)
	dir := b.TempDir()
	load := func(b *testing.B, cacheDir string) {
		e, err := engine.New(engine.NewConfig().WithCacheDir(cacheDir))
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close(ctx)
		t0 := time.Now()
		c, err := e.Load(ctx, "consent", wasm, engine.ContractConfig{})
		d := time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		tm := c.LoadTimings()
		_ = c.Close(ctx)
		// ns/op is the compile step (cold: compilation; disk: wazero decoding, validating and reading the cached
		// code); load-ms is the whole Load (gate, instrumentation, rewrite, compile, instantiate + _initialize +
		// snapshot); instrument-ms is the gas instrumentation (and decoding its output).
		b.ReportMetric(float64(tm.Compile.Nanoseconds()), "ns/op")
		b.ReportMetric(float64(d.Microseconds())/1000, "load-ms")
		b.ReportMetric(float64(tm.Validate.Microseconds())/1000, "gate-ms")
		b.ReportMetric(float64(tm.Instrument.Microseconds())/1000, "instrument-ms")
		b.ReportMetric(float64(tm.Initialize.Microseconds())/1000, "init-ms")
	}
	b.Run("cold", func(b *testing.B) {
		d, err := os.MkdirTemp(dir, "cold")
		if err != nil {
			b.Fatal(err)
		}
		load(b, d)
	})
	warm := filepath.Join(dir, "warm")
	load(b, warm) // populate
	b.Run("disk", func(b *testing.B) { load(b, warm) })
}

// blockingState parks every GetState until release is closed, so a test can hold many calls (and instances) open.
type blockingState struct {
	*ledger.Memory
	entered chan struct{}
	release chan struct{}
}

func (s *blockingState) GetState(key string) ([]byte, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.Memory.GetState(key)
}

// BenchmarkInstanceMemory reports the memory held per live Snapshot instance of the guest, measured with 16
// instances held open by concurrent calls: KiB-heap/instance is Go heap (wazero's per-instance structures, and
// linear memory when it is heap-allocated), KiB-rss/instance the growth of the resident set (linear memory mapped
// copy-on-write from the snapshot image: only the pages an instance wrote are its own). Linear memory is bounded by
// the contract's MemoryPages either way. One measurement per invocation, whatever b.N is.
func BenchmarkInstanceMemory(b *testing.B) {
	ctx := context.Background()
	e := newEngine(b, engine.NewConfig())
	c, err := e.Load(ctx, "consent", guest(b), engine.ContractConfig{MaxIdleInstances: 1})
	if err != nil {
		b.Fatal(err)
	}
	const n = 16
	st := &blockingState{Memory: benchState(), entered: make(chan struct{}, n), release: make(chan struct{})}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap0, rss0 := ms.HeapAlloc, rss(b)
	t0 := time.Now()
	var wg sync.WaitGroup
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = c.Call(ctx, engine.Call{Function: "consent", Args: consentArgs, State: st, TxID: fmt.Sprint(g)})
		}()
	}
	for g := 0; g < n; g++ {
		<-st.entered
	}
	d := time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap1, rss1 := ms.HeapAlloc, rss(b)
	live := c.Instances()
	close(st.release)
	wg.Wait()
	b.ReportMetric(float64(d.Nanoseconds())/n, "ns/op")
	b.ReportMetric(float64(int64(heap1)-int64(heap0))/n/1024, "KiB-heap/instance")
	b.ReportMetric(float64(rss1-rss0)/n/1024, "KiB-rss/instance")
	b.ReportMetric(float64(live), "instances")
}

// rss returns the resident set size of this process in bytes (Linux /proc/self/statm).
func rss(b *testing.B) int64 {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		b.Fatalf("resident set size: %v", err)
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(raw), &size, &resident); err != nil {
		b.Fatal(err)
	}
	return resident * int64(os.Getpagesize())
}

// BenchmarkLoad_Cached measures a Load of a module the engine has already compiled (another contract name, the
// same bytes): the cache is looked up by the submitted bytes' sha256 before the gate and the rewrite, so this is
// hashing plus creating the contract's first instance from the cached compiled module.
func BenchmarkLoad_Cached(b *testing.B) {
	ctx := context.Background()
	e := newEngine(b, engine.NewConfig())
	wasm := guest(b)
	first, err := e.Load(ctx, "consent", wasm, engine.ContractConfig{})
	if err != nil {
		b.Fatal(err)
	}
	defer first.Close(ctx)
	var lookup time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := e.Load(ctx, "again", wasm, engine.ContractConfig{})
		if err != nil {
			b.Fatal(err)
		}
		tm := c.LoadTimings()
		if !tm.CacheHit {
			b.Fatal("second Load missed the cache")
		}
		lookup += tm.Validate + tm.Rewrite + tm.Compile
		_ = c.Close(ctx)
	}
	b.ReportMetric(float64(lookup.Microseconds())/1000/float64(b.N), "lookup-ms")
}

// BenchmarkCall_Get compares a read that finds its key with one that fails as a contract error (key not found),
// under Snapshot isolation: a contract error keeps its instance, so both cost about the same.
func BenchmarkCall_Get(b *testing.B) {
	ctx := context.Background()
	e := newEngine(b, engine.NewConfig())
	c, err := e.Load(ctx, "consent", guest(b), engine.ContractConfig{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	for _, tt := range []struct{ name, key string }{{"found", "patient/p1"}, {"missing", "patient/nobody"}} {
		b.Run(tt.name, func(b *testing.B) {
			st := benchState()
			call := engine.Call{Function: "get", Args: []byte(`{"key":"` + tt.key + `"}`), State: st, TxID: "tx-1"}
			for i := 0; i < b.N; i++ {
				_, err := c.Call(ctx, call)
				if (err == nil) != (tt.name == "found") {
					b.Fatalf("get %s: %v", tt.key, err)
				}
				st.Rollback()
			}
		})
	}
}
