package devnet

import (
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/medledger/medledger/operator/internal/fabricadmin"
	"github.com/medledger/medledger/operator/internal/testenv"
)

var bench struct {
	once sync.Once
	dir  string
	d    *Devnet
	err  error
}

// benchDevnet brings up one devnet with the test chaincode for all benchmarks; TestMain tears it down.
func benchDevnet(b *testing.B) *Devnet {
	bin := testenv.FabricBin(b)
	bench.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		bench.dir, bench.err = os.MkdirTemp("", "medledger-devnet-bench-")
		if bench.err != nil {
			return
		}
		bench.d, bench.err = Up(ctx, Options{Dir: bench.dir, FabricBin: bin, Builder: selfCommand(b, selfBuilder)})
		if bench.err == nil {
			_, bench.err = bench.d.DeployChaincode(ctx, ChaincodeSpec{Name: "kv", Command: selfCommand(b, selfTestCC)})
		}
	})
	if bench.err != nil {
		b.Fatalf("bench devnet: %v", bench.err)
	}
	return bench.d
}

func cleanupBench() {
	if bench.dir != "" {
		_ = Down(bench.dir, true, nil)
	}
}

// BenchmarkGateway_Submit measures committed transactions per second through the Fabric Gateway for the tiny
// chaincode (put, endorsed by both hospitals, waiting for commit), with many clients in flight: the native
// baseline for the WebAssembly chaincode runtime. Reported as tx/s; ns/op is the per-transaction share of
// wall time, not the latency (about BatchTimeout, 250ms, plus endorsement).
func BenchmarkGateway_Submit(b *testing.B) {
	d := benchDevnet(b)
	gw, conn, err := d.Gateway(d.Peers(d.Hospitals()[0])[0])
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	defer gw.Close()
	ctx := context.Background()
	var seq atomic.Int64
	b.SetParallelism(32) // transactions wait ~250ms for their block: concurrency, not CPU, sets throughput
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := "bench-" + strconv.FormatInt(seq.Add(1), 10)
			if _, err := gw.Submit(ctx, fabricadmin.Tx{Channel: d.Channel(), Chaincode: "kv", Function: "put", Args: args(k, "v")}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkGateway_Evaluate measures queries per second (get, one peer, no ordering).
func BenchmarkGateway_Evaluate(b *testing.B) {
	d := benchDevnet(b)
	gw, conn, err := d.Gateway(d.Peers(d.Hospitals()[0])[0])
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	defer gw.Close()
	ctx := context.Background()
	if _, err := gw.Submit(ctx, fabricadmin.Tx{Channel: d.Channel(), Chaincode: "kv", Function: "put", Args: args("bench-read", "v")}); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := gw.Evaluate(ctx, fabricadmin.Tx{Channel: d.Channel(), Chaincode: "kv", Function: "get", Args: args("bench-read")}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}
