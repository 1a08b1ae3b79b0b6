package chaincode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/medledger/medledger/runtime/abi"
	"github.com/medledger/medledger/runtime/engine"
)

// Ledger keys of the registry. None starts with abi.NamespacePrefix ("ns/"), so no contract can name them.
const (
	// governanceKey holds the Governance record.
	governanceKey = "gov/config"
	// sequenceKey counts registry changes. Every deploy and upgrade writes it, and it carries the governance
	// policy as its key-level endorsement policy, so even the first deploy of a new name needs the governance
	// policy's endorsements.
	sequenceKey = "registry/sequence"
	// entryPrefix + name holds a contract's current Entry.
	entryPrefix = "registry/contracts/"
	// historyPrefix + name + "/" + sequence holds every Entry a contract had.
	historyPrefix = "registry/history/"
	// codePrefix + sha256 holds module bytes, once per distinct module; codeInfoPrefix + sha256 a small
	// CodeInfo, so existence checks never move megabytes.
	codePrefix     = "code/"
	codeInfoPrefix = "codeinfo/"
)

func entryKey(name string) string { return entryPrefix + name }
func historyKey(name string, seq uint64) string {
	return fmt.Sprintf("%s%s/%020d", historyPrefix, name, seq)
}
func codeKey(sha string) string     { return codePrefix + sha }
func codeInfoKey(sha string) string { return codeInfoPrefix + sha }

// Entry is a deployed contract as the registry records it: which code (by sha256) runs under which name,
// with which isolation and limits, deployed by whom and when. Every field is computed identically on every
// endorsing peer.
type Entry struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// SHA256 is the hex sha256 of the module bytes stored under code/<sha256>.
	SHA256     string `json:"sha256"`
	Size       int    `json:"size"`
	ABIVersion int    `json:"abiVersion"`
	Isolation  string `json:"isolation"`
	Limits     Limits `json:"limits"`
	// Metering is the hash of the gas-metering configuration (cost table) the deploying peers instrumented the
	// module with, or "off" for an unmetered engine: peers that price gas differently disagree here, so their
	// endorsements of the deploy do not match.
	Metering string `json:"metering"`
	// Sequence is the registry sequence number of the deploy or upgrade that wrote this entry.
	Sequence uint64 `json:"sequence"`
	// PreviousVersion is the version an upgrade replaced ("" for a first deploy).
	PreviousVersion string    `json:"previousVersion,omitempty"`
	DeployedBy      Principal `json:"deployedBy"`
	TxID            string    `json:"txId"`
	Timestamp       time.Time `json:"timestamp"`
}

// Principal names an identity: its organisation and Fabric client identity ID.
type Principal struct {
	MSPID string `json:"mspId"`
	ID    string `json:"id"`
}

// CodeInfo describes stored module bytes.
type CodeInfo struct {
	SHA256    string    `json:"sha256"`
	Size      int       `json:"size"`
	TxID      string    `json:"txId"`
	Timestamp time.Time `json:"timestamp"`
}

// Limits are a contract's per-call limits as the registry stores them; zero fields take the engine's
// defaults (engine.DefaultLimits). GasLimit is the deterministic gas limit of one call (engine Limits.Gas).
// TimeoutMillis is a wall-clock guard, accepted only by a wasmcc configured with a call timeout (see
// Config.WithCallTimeout): time is not deterministic, so endorsing deployments bound calls by gas alone.
type Limits struct {
	GasLimit             uint64 `json:"gasLimit,omitempty"`
	MemoryPages          uint32 `json:"memoryPages,omitempty"`
	TimeoutMillis        int64  `json:"timeoutMillis,omitempty"`
	MaxArgsBytes         int    `json:"maxArgsBytes,omitempty"`
	MaxKeyBytes          int    `json:"maxKeyBytes,omitempty"`
	MaxValueBytes        int    `json:"maxValueBytes,omitempty"`
	MaxRangePage         int    `json:"maxRangePage,omitempty"`
	MaxRangeBytes        int    `json:"maxRangeBytes,omitempty"`
	MaxResultBytes       int    `json:"maxResultBytes,omitempty"`
	MaxEvents            int    `json:"maxEvents,omitempty"`
	MaxEventPayloadBytes int    `json:"maxEventPayloadBytes,omitempty"`
	MaxLogBytes          int    `json:"maxLogBytes,omitempty"`
	MaxWrites            int    `json:"maxWrites,omitempty"`
}

// engineLimits maps l onto the engine's limits; defaultTimeout applies when l sets none.
func (l Limits) engineLimits(defaultTimeout time.Duration) engine.Limits {
	timeout := time.Duration(l.TimeoutMillis) * time.Millisecond
	if timeout == 0 {
		timeout = defaultTimeout
	}
	return engine.Limits{
		MemoryPages:          l.MemoryPages,
		MaxArgsBytes:         l.MaxArgsBytes,
		MaxKeyBytes:          l.MaxKeyBytes,
		MaxValueBytes:        l.MaxValueBytes,
		MaxRangePage:         l.MaxRangePage,
		MaxRangeBytes:        l.MaxRangeBytes,
		MaxResultBytes:       l.MaxResultBytes,
		MaxEvents:            l.MaxEvents,
		MaxEventPayloadBytes: l.MaxEventPayloadBytes,
		MaxLogBytes:          l.MaxLogBytes,
		MaxWrites:            l.MaxWrites,
		Gas:                  l.GasLimit,
		Timeout:              timeout,
	}
}

// DeploySpec is the argument of deploy and upgrade.
type DeploySpec struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// SHA256, when set, names the module: it must match the bytes sent along, or, with no bytes sent, name a
	// module already stored (deploying the same code again moves no bytes).
	SHA256 string `json:"sha256,omitempty"`
	// Isolation is snapshot (default), fresh or pooled.
	Isolation string `json:"isolation,omitempty"`
	Limits    Limits `json:"limits,omitempty"`
}

var (
	versionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$`)
	sha256RE  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// parseDeploySpec decodes and checks a deploy/upgrade argument.
func parseDeploySpec(raw []byte) (DeploySpec, engine.Isolation, error) {
	var s DeploySpec
	if err := strictJSON(raw, &s); err != nil {
		return s, 0, fmt.Errorf("deploy spec: %w", err)
	}
	if err := abi.ValidateContractName(s.Name); err != nil {
		return s, 0, err
	}
	if !versionRE.MatchString(s.Version) {
		return s, 0, fmt.Errorf("version %q: want 1-64 characters of [A-Za-z0-9._+-], starting with a letter or digit", s.Version)
	}
	if s.SHA256 != "" && !sha256RE.MatchString(s.SHA256) {
		return s, 0, fmt.Errorf("sha256 %q: want 64 lowercase hex digits", s.SHA256)
	}
	iso, err := engine.ParseIsolation(s.Isolation)
	if err != nil {
		return s, 0, err
	}
	s.Isolation = iso.String()
	if s.Limits.TimeoutMillis < 0 {
		return s, 0, fmt.Errorf("limit timeoutMillis = %d is negative", s.Limits.TimeoutMillis)
	}
	return s, iso, nil
}

// strictJSON decodes raw into v, refusing unknown fields and trailing data, so a misspelt limit is an error
// rather than a silently ignored setting.
func strictJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}
