package ledger_test

import (
	"fmt"
	"testing"

	"github.com/medledger/medledger/runtime/ledger"
)

// BenchmarkMemory_RangePage reads one 100-entry page (as the engine does for state_range) and commits the
// transaction (validating the range) on ledgers of growing size: the cost should grow with log n, not n.
func BenchmarkMemory_RangePage(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			m := ledger.NewMemory()
			for i := 0; i < n; i++ {
				_ = m.PutState(fmt.Sprintf("ns/c/k%07d", i), []byte("value"))
			}
			if _, err := m.Commit(); err != nil {
				b.Fatal(err)
			}
			start := fmt.Sprintf("ns/c/k%07d", n/2)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tx := m.Begin()
				it, _ := tx.GetStateByRange(start, "ns/c0")
				for j := 0; j < 101 && it.HasNext(); j++ {
					_, _ = it.Next()
				}
				_ = it.Close()
				if _, err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
