package engine

import (
	"fmt"
	"strings"
)

// Isolation selects how a contract's calls are isolated from each other.
type Isolation int

const (
	// Snapshot (the default) runs each call in an instance whose memory and mutable globals were reset to a clean
	// post-_initialize snapshot: isolation without paying a guest runtime start per call.
	Snapshot Isolation = iota
	// Fresh runs each call in a brand-new instance (instantiate + _initialize): the baseline, slowest.
	Fresh
	// Pooled reuses warm instances as they are, without reset: fastest, for contracts documented stateless.
	// A contract that keeps state in memory between calls breaks determinism under Pooled.
	Pooled
)

// String returns "snapshot", "fresh" or "pooled".
func (i Isolation) String() string {
	switch i {
	case Snapshot:
		return "snapshot"
	case Fresh:
		return "fresh"
	case Pooled:
		return "pooled"
	}
	return fmt.Sprintf("isolation(%d)", int(i))
}

// ParseIsolation parses "snapshot", "fresh" or "pooled" (case-insensitive); "" means Snapshot.
//
// # Errors
//
// An error naming s and the accepted values when s is none of them.
func ParseIsolation(s string) (Isolation, error) {
	switch strings.ToLower(s) {
	case "", "snapshot":
		return Snapshot, nil
	case "fresh":
		return Fresh, nil
	case "pooled":
		return Pooled, nil
	}
	return 0, fmt.Errorf("isolation %q is not one of snapshot, fresh, pooled", s)
}

// ContractConfig configures one loaded contract. The zero value is valid: Snapshot isolation, DefaultLimits.
type ContractConfig struct {
	// Isolation is the call isolation mode (default Snapshot).
	Isolation Isolation
	// Limits; zero fields take the DefaultLimits value.
	Limits Limits
	// MaxIdleInstances caps the warm instances kept for reuse (Snapshot and Pooled); 0 means GOMAXPROCS.
	// Concurrent calls beyond it still run, each on its own instance, which is closed afterwards.
	MaxIdleInstances int
}
