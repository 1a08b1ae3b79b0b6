package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/medledger/medledger/runtime/meter"
)

// PageSize is the WebAssembly page size in bytes.
const PageSize = 65536

// Limits bound what one contract can do per call (ABI.md §7). A zero field in a ContractConfig's Limits means
// "use the DefaultLimits value"; every field must not exceed the engine's ceiling (Config.WithCeilings).
type Limits struct {
	// MemoryPages caps the guest's linear memory in 64 KiB pages; memory.grow past it returns -1.
	MemoryPages uint32
	// MaxFunctionBytes caps the called function name.
	MaxFunctionBytes int
	// MaxArgsBytes caps the call's argument bytes.
	MaxArgsBytes int
	// MaxKeyBytes caps one key (before namespacing).
	MaxKeyBytes int
	// MaxValueBytes caps one written value.
	MaxValueBytes int
	// MaxRangePage caps the entries of one range page; larger requests are clamped.
	MaxRangePage int
	// MaxRangeBytes caps the key+value bytes of one range page; a page stops early at this bound.
	MaxRangeBytes int
	// MaxResultBytes caps the result and the contract error message.
	MaxResultBytes int
	// MaxEvents caps the events of one call.
	MaxEvents int
	// MaxEventNameBytes caps one event name.
	MaxEventNameBytes int
	// MaxEventPayloadBytes caps one event payload.
	MaxEventPayloadBytes int
	// MaxLogBytes caps the call log (log host function plus stdout/stderr); excess is dropped, never an error.
	MaxLogBytes int
	// MaxWrites caps the distinct keys (public and private) one call writes or deletes.
	MaxWrites int
	// Gas is the gas limit of one call when the Call does not set its own (Call.GasLimit, up to the host's
	// ceiling Gas). One gas is about one simple instruction; ABI.md §11 has the cost model. Unused by an engine
	// configured WithMetering(false).
	Gas uint64
	// Timeout is the wall-clock last-resort guard for a call; 0 means none. It needs an engine configured
	// WithCloseOnContextDone(true) (query/simulation engines), because checking the clock costs on every loop.
	// Deterministic gas, not time, bounds the endorsement path.
	Timeout time.Duration
}

// DefaultLimits are the limits a contract gets when its ContractConfig leaves a field zero. They match ABI.md §7.
var DefaultLimits = Limits{
	MemoryPages:          512, // 32 MiB
	MaxFunctionBytes:     128,
	MaxArgsBytes:         1 << 20,
	MaxKeyBytes:          1 << 10,
	MaxValueBytes:        1 << 20,
	MaxRangePage:         100,
	MaxRangeBytes:        4 << 20,
	MaxResultBytes:       1 << 20,
	MaxEvents:            16,
	MaxEventNameBytes:    128,
	MaxEventPayloadBytes: 64 << 10,
	MaxLogBytes:          16 << 10,
	MaxWrites:            1000,
	Gas:                  meter.DefaultGasLimit, // 200,000,000: about 0.2 s of dense guest code
	Timeout:              0,
}

// CeilingLimits are the default host ceilings (Config.WithCeilings): no contract may be configured above them.
var CeilingLimits = Limits{
	MemoryPages:          4096, // 256 MiB
	MaxFunctionBytes:     1 << 10,
	MaxArgsBytes:         16 << 20,
	MaxKeyBytes:          8 << 10,
	MaxValueBytes:        16 << 20,
	MaxRangePage:         10_000,
	MaxRangeBytes:        64 << 20,
	MaxResultBytes:       16 << 20,
	MaxEvents:            1024,
	MaxEventNameBytes:    1 << 10,
	MaxEventPayloadBytes: 4 << 20,
	MaxLogBytes:          1 << 20,
	MaxWrites:            100_000,
	Gas:                  10 * meter.DefaultGasLimit,
	Timeout:              time.Minute,
}

// withDefaults returns l with every zero field replaced by the DefaultLimits value.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	def := func(v *int, dv int) {
		if *v == 0 {
			*v = dv
		}
	}
	if l.MemoryPages == 0 {
		l.MemoryPages = d.MemoryPages
	}
	def(&l.MaxFunctionBytes, d.MaxFunctionBytes)
	def(&l.MaxArgsBytes, d.MaxArgsBytes)
	def(&l.MaxKeyBytes, d.MaxKeyBytes)
	def(&l.MaxValueBytes, d.MaxValueBytes)
	def(&l.MaxRangePage, d.MaxRangePage)
	def(&l.MaxRangeBytes, d.MaxRangeBytes)
	def(&l.MaxResultBytes, d.MaxResultBytes)
	def(&l.MaxEvents, d.MaxEvents)
	def(&l.MaxEventNameBytes, d.MaxEventNameBytes)
	def(&l.MaxEventPayloadBytes, d.MaxEventPayloadBytes)
	def(&l.MaxLogBytes, d.MaxLogBytes)
	def(&l.MaxWrites, d.MaxWrites)
	if l.Gas == 0 {
		l.Gas = d.Gas
	}
	return l
}

// check reports the first field of l that is negative or above ceiling.
func (l Limits) check(ceiling Limits) error {
	switch {
	case l.Gas > math.MaxInt64: // the guest's gas counter is a signed i64
		return fmt.Errorf("limit Gas = %d is above the largest gas counter %d", l.Gas, int64(math.MaxInt64))
	case l.Gas > ceiling.Gas:
		return fmt.Errorf("limit Gas = %d is above the host ceiling %d", l.Gas, ceiling.Gas)
	}
	type field struct {
		name     string
		v, limit int64
	}
	fields := []field{
		{"MemoryPages", int64(l.MemoryPages), int64(ceiling.MemoryPages)},
		{"MaxFunctionBytes", int64(l.MaxFunctionBytes), int64(ceiling.MaxFunctionBytes)},
		{"MaxArgsBytes", int64(l.MaxArgsBytes), int64(ceiling.MaxArgsBytes)},
		{"MaxKeyBytes", int64(l.MaxKeyBytes), int64(ceiling.MaxKeyBytes)},
		{"MaxValueBytes", int64(l.MaxValueBytes), int64(ceiling.MaxValueBytes)},
		{"MaxRangePage", int64(l.MaxRangePage), int64(ceiling.MaxRangePage)},
		{"MaxRangeBytes", int64(l.MaxRangeBytes), int64(ceiling.MaxRangeBytes)},
		{"MaxResultBytes", int64(l.MaxResultBytes), int64(ceiling.MaxResultBytes)},
		{"MaxEvents", int64(l.MaxEvents), int64(ceiling.MaxEvents)},
		{"MaxEventNameBytes", int64(l.MaxEventNameBytes), int64(ceiling.MaxEventNameBytes)},
		{"MaxEventPayloadBytes", int64(l.MaxEventPayloadBytes), int64(ceiling.MaxEventPayloadBytes)},
		{"MaxLogBytes", int64(l.MaxLogBytes), int64(ceiling.MaxLogBytes)},
		{"MaxWrites", int64(l.MaxWrites), int64(ceiling.MaxWrites)},
		{"Timeout", int64(l.Timeout), int64(ceiling.Timeout)},
	}
	for _, f := range fields {
		if f.v < 0 {
			return fmt.Errorf("limit %s = %d is negative", f.name, f.v)
		}
		if f.v > f.limit {
			return fmt.Errorf("limit %s = %d is above the host ceiling %d", f.name, f.v, f.limit)
		}
	}
	return nil
}
