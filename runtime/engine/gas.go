package engine

import (
	"fmt"

	"github.com/medledger/medledger/runtime/engine/internal/host"
	"github.com/medledger/medledger/runtime/meter"
)

// initGas is the gas _initialize runs with, counted apart from every call: as much as a start function gets
// (the module's initial gas), so an endless _initialize fails Load instead of hanging it.
const initGas = meter.DefaultInitialGas

// callDepth is the call-depth limit of every call and of _initialize, in depth units (ABI.md §11.4). It is the
// host's, not the contract's: it bounds the host's stack, and stays below wazero's interpreter ceiling.
const callDepth = meter.DefaultDepthLimit

// gasLimit returns the gas limit call runs under: its own GasLimit, else the contract's Limits.Gas.
//
// # Errors
//
// ErrInvalidCall (wrapped) when call.GasLimit is above the host's ceiling.
func (c *contract) gasLimit(call *Call) (uint64, error) {
	if !c.entry.Value.metered {
		return 0, nil
	}
	if call.GasLimit == 0 {
		return c.cfg.Limits.Gas, nil
	}
	if ceiling := c.e.cfg.ceilings.Gas; call.GasLimit > ceiling {
		return 0, fmt.Errorf("%w: gas limit %d is above the host ceiling %d", ErrInvalidCall, call.GasLimit, ceiling)
	}
	return call.GasLimit, nil
}

// gasFor is what host functions charge through during a call on inst.
func (c *contract) gasFor(inst *instance) host.Gas {
	if inst.gas == nil {
		return host.Gas{}
	}
	return host.Gas{Counters: inst.gas, Costs: c.e.cfg.meter.CostTable()}
}

// resetGas sets inst's counters for the next call: gas to limit, depth to callDepth, no trap reason. Every
// isolation mode resets before every call (a snapshot restores the counters too, to their post-_initialize
// values, which must not leak into a call).
func (c *contract) resetGas(inst *instance, limit uint64) error {
	if inst.gas == nil {
		return nil
	}
	if err := inst.gas.Reset(limit, callDepth); err != nil {
		return &TrapError{Contract: c.name, Kind: TrapHost, Message: err.Error(), Cause: err}
	}
	return nil
}

// gasOutcome is what the counters say after a call ran with limit: gas used and why the guest trapped, if a
// meter limit stopped it.
type gasOutcome struct {
	limit, used uint64
	reason      meter.Reason
}

func (c *contract) gasOutcome(inst *instance, limit uint64) gasOutcome {
	if inst.gas == nil {
		return gasOutcome{}
	}
	return gasOutcome{limit: limit, used: inst.gas.GasUsed(limit), reason: inst.gas.Reason()}
}

// meterTrap is the TrapError of a call the meter stopped, or nil.
func (c *contract) meterTrap(function string, g gasOutcome, cause error) *TrapError {
	switch g.reason {
	case meter.ReasonOutOfGas:
		return &TrapError{Contract: c.name, Function: function, Kind: TrapOutOfGas,
			Message: fmt.Sprintf("out of gas: the call used all of its %d gas", g.limit), Cause: cause}
	case meter.ReasonDepthExceeded:
		return &TrapError{Contract: c.name, Function: function, Kind: TrapDepth,
			Message: fmt.Sprintf("call depth exceeded: nested calls need more than %d depth units (ABI.md §11.4)", callDepth), Cause: cause}
	}
	return nil
}
