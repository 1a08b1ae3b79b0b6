package meter

import (
	"errors"
	"fmt"
	"math"

	"github.com/tetratelabs/wazero/api"
)

// The exports Instrument adds. Modules that already export one of these names are refused.
const (
	// GasExport is the mutable i64 global holding the gas left. The host sets it to the call's
	// limit before a call; gas used is the limit minus what is left (negative after running out).
	GasExport = "medledger_gas_left"
	// DepthExport is the mutable i32 global holding the call-depth units left.
	DepthExport = "medledger_depth_left"
	// ReasonExport is the mutable i32 global that says why the guest trapped (a Reason).
	ReasonExport = "medledger_trap_reason"
)

// Reason is why an instrumented guest trapped, read from ReasonExport after the trap.
type Reason uint32

// The reasons.
const (
	// ReasonNone: the guest has not trapped because of a limit. A trap with this reason is the
	// guest's own (unreachable, out-of-bounds access, ...).
	ReasonNone Reason = 0
	// ReasonOutOfGas: the gas counter went below zero, in guest code or in Charge.
	ReasonOutOfGas Reason = 1
	// ReasonDepthExceeded: a call would have exceeded the depth limit.
	ReasonDepthExceeded Reason = 2
)

// ErrOutOfGas is returned by Charge and Reason.Err when the gas is exhausted.
var ErrOutOfGas = errors.New("out of gas")

// ErrCallDepthExceeded is returned by Reason.Err when the call-depth limit stopped the guest.
var ErrCallDepthExceeded = errors.New("call depth exceeded")

// String names the reason.
func (r Reason) String() string {
	switch r {
	case ReasonNone:
		return "none"
	case ReasonOutOfGas:
		return "out of gas"
	case ReasonDepthExceeded:
		return "call depth exceeded"
	}
	return fmt.Sprintf("unknown reason %d", uint32(r))
}

// Err returns ErrOutOfGas or ErrCallDepthExceeded for those reasons, nil for ReasonNone and
// an error naming the value otherwise.
func (r Reason) Err() error {
	switch r {
	case ReasonNone:
		return nil
	case ReasonOutOfGas:
		return ErrOutOfGas
	case ReasonDepthExceeded:
		return ErrCallDepthExceeded
	}
	return fmt.Errorf("meter: %s", r)
}

// Counters gives the host the metering globals of one instance. Bind it once per instance
// and keep it with the instance; it is not safe for concurrent use, like the instance.
type Counters struct {
	gas, depth, reason api.MutableGlobal
}

// Bind finds the metering globals of an instrumented module instance.
//
// # Errors
//
//   - an error naming the export when the module lacks one of GasExport, DepthExport,
//     ReasonExport or has it with the wrong type or mutability (the module was not
//     instrumented by Instrument).
func Bind(mod api.Module) (*Counters, error) {
	var c Counters
	for _, g := range []struct {
		name string
		typ  api.ValueType
		dst  *api.MutableGlobal
	}{
		{GasExport, api.ValueTypeI64, &c.gas},
		{DepthExport, api.ValueTypeI32, &c.depth},
		{ReasonExport, api.ValueTypeI32, &c.reason},
	} {
		global := mod.ExportedGlobal(g.name)
		mg, ok := global.(api.MutableGlobal)
		if global == nil || !ok || global.Type() != g.typ {
			return nil, fmt.Errorf("meter: module %q has no mutable %s global %q; was it instrumented?",
				mod.Name(), api.ValueTypeName(g.typ), g.name)
		}
		*g.dst = mg
	}
	return &c, nil
}

// Reset prepares the instance for a call: gas to gasLimit, depth to depthLimit units,
// reason to ReasonNone. Call it before every call, whatever the isolation mode: a trap
// leaves the counters wherever the guest stopped.
//
// # Errors
//
//   - gasLimit above math.MaxInt64 or depthLimit above math.MaxInt32; nothing is changed.
func (c *Counters) Reset(gasLimit uint64, depthLimit uint32) error {
	if gasLimit > math.MaxInt64 {
		return fmt.Errorf("meter: gas limit %d exceeds math.MaxInt64", gasLimit)
	}
	if depthLimit > math.MaxInt32 {
		return fmt.Errorf("meter: depth limit %d exceeds math.MaxInt32", depthLimit)
	}
	c.gas.Set(gasLimit)
	c.depth.Set(uint64(depthLimit))
	c.reason.Set(uint64(ReasonNone))
	return nil
}

// GasLeft returns the gas left, 0 once the guest ran out.
func (c *Counters) GasLeft() uint64 {
	return uint64(max(int64(c.gas.Get()), 0))
}

// GasUsed returns the gas used since Reset(limit, ...): limit minus the gas left, which is
// limit itself once the guest ran out.
func (c *Counters) GasUsed(limit uint64) uint64 {
	left := c.GasLeft()
	if left > limit {
		return 0
	}
	return limit - left
}

// DepthLeft returns the depth units left (negative values read as 0).
func (c *Counters) DepthLeft() uint32 {
	return uint32(max(int32(uint32(c.depth.Get())), 0))
}

// Reason returns why the guest trapped, ReasonNone if no limit stopped it.
func (c *Counters) Reason() Reason {
	return Reason(uint32(c.reason.Get()))
}

// Err is Reason().Err().
func (c *Counters) Err() error {
	return c.Reason().Err()
}

// Charge takes amount gas from the guest, for work a host function does on its behalf (see
// CostTable.HostCost). When the gas does not cover it the counter goes negative exactly as
// if guest code had run out, the reason becomes ReasonOutOfGas, and ErrOutOfGas is returned:
// the host function must then end the call, for example by panicking with the error, which
// wazero turns into the call's error.
//
// # Errors
//
//   - ErrOutOfGas when amount exceeds the gas left, or the gas was already exhausted.
func (c *Counters) Charge(amount uint64) error {
	left := int64(c.gas.Get())
	if left >= 0 && amount <= uint64(left) {
		c.gas.Set(uint64(left - int64(amount)))
		return nil
	}
	if left >= 0 {
		// amount > left >= 0; keep the counter negative without wrapping around.
		if amount > math.MaxInt64 {
			left = -1
		} else {
			left -= int64(amount)
		}
		c.gas.Set(uint64(left))
	}
	c.reason.Set(uint64(ReasonOutOfGas))
	return ErrOutOfGas
}

// Charge binds mod and charges amount gas: a convenience for host functions that do not keep
// Counters at hand. It looks the globals up on each call; hot paths should Bind once.
//
// # Errors
//
//   - Bind's errors when mod is not instrumented.
//   - ErrOutOfGas as Counters.Charge.
func Charge(mod api.Module, amount uint64) error {
	c, err := Bind(mod)
	if err != nil {
		return err
	}
	return c.Charge(amount)
}

// ReasonOf returns why the instance mod trapped, read from its ReasonExport global;
// ReasonNone for a module that is not instrumented.
func ReasonOf(mod api.Module) Reason {
	if g := mod.ExportedGlobal(ReasonExport); g != nil {
		return Reason(uint32(g.Get()))
	}
	return ReasonNone
}
