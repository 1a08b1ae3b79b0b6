package engine_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/meter"
)

// TestABI_GasFigures: the gas figures ABI.md §7 and §11 state are the ones the engine uses.
func TestABI_GasFigures(t *testing.T) {
	doc, err := os.ReadFile("../abi/ABI.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Table v1 has the SHA-256 hash\n`" + meter.CostTableV1.Hash() + "`",
		"| gas per call | " + grouped(engine.DefaultLimits.Gas) + " |",
		"host's ceiling, " + grouped(engine.CeilingLimits.Gas) + " by default",
		"| gas for `_initialize` | " + grouped(meter.DefaultInitialGas) + ",",
		"| call depth | " + grouped(uint64(meter.DefaultDepthLimit)) + " units",
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("ABI.md does not say %q", want)
		}
	}
}

// grouped formats n with commas between thousands, as ABI.md writes numbers.
func grouped(n uint64) string {
	digits := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return b.String()
}
