package host

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero/api"

	"github.com/medledger/medledger/runtime/meter"
)

// KindOutOfGas is the trap kind of a host function the call's gas cannot pay for (engine.TrapOutOfGas).
const KindOutOfGas = "out-of-gas"

// Gas is how host functions charge a metered call: the instance's counters and the cost table its module was
// instrumented with. The zero Gas (an unmetered engine) charges nothing.
type Gas struct {
	Counters *meter.Counters
	Costs    meter.CostTable
}

// charged wraps a host function so that it first takes the base price of a host call (CostTable.HostCall),
// before doing anything; the function itself charges the bytes it moves with chargeBytes.
func charged(name string, fn api.GoModuleFunc) api.GoModuleFunc {
	return func(ctx context.Context, mod api.Module, stack []uint64) {
		if c := callFrom(ctx); c.Gas.Counters != nil {
			c.chargeGas(name, -1, uint64(c.Gas.Costs.HostCall))
		}
		fn(ctx, mod, stack)
	}
}

// chargeBytes takes the per-byte price of n bytes a host function moves (ABI.md §11.2: ceil(n/HostBytesPerGas)):
// the bytes it reads from guest memory, before reading them, and the bytes it hands back (register or memory),
// before handing them over. When the gas does not cover it the call ends with an out-of-gas trap naming fn; the
// counters then say ReasonOutOfGas and hold no gas.
func (c *Call) chargeBytes(fn string, n uint64) {
	if c.Gas.Counters == nil || n == 0 {
		return
	}
	c.chargeGas(fn, int64(clampBytes(n)), c.Gas.Costs.HostCost(clampBytes(n))-uint64(c.Gas.Costs.HostCall))
}

// chargeGas takes amount gas for moving n bytes (n < 0: for the call itself), named in the trap message.
func (c *Call) chargeGas(fn string, n int64, amount uint64) {
	left := c.Gas.Counters.GasLeft()
	if err := c.Gas.Counters.Charge(amount); err != nil {
		what := "the call"
		if n >= 0 {
			what = fmt.Sprintf("moving %d bytes", n)
		}
		panic(trapf(KindOutOfGas, "%s: out of gas: %s costs %d gas, %d left", fn, what, amount, left))
	}
}

// clampBytes turns a byte count into HostCost's int without overflow; counts come from i32 lengths, so they fit.
func clampBytes(n uint64) int {
	const maxInt = int(^uint(0) >> 1)
	if n > uint64(maxInt) {
		return maxInt
	}
	return int(n)
}
