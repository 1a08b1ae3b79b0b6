package chaincode

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/medledger/medledger/runtime/engine"
)

// Load sources, the label of wasmcc_contract_loads_total.
const (
	sourceDeploy = "deploy" // bytes sent with deploy/upgrade
	sourceLedger = "ledger" // bytes read back from the ledger (after a restart, or another peer's deploy)
)

// loader keeps compiled, initialised contracts in memory, keyed by name, code and configuration, and loads
// missing ones from the ledger. Concurrent requests for the same contract wait for one load.
type loader struct {
	cc    *Chaincode
	mu    sync.Mutex
	slots map[string]*slot
	tick  uint64
}

type slot struct {
	name, sha string
	done      chan struct{}
	c         *engine.Contract
	err       error
	used      uint64
}

func newLoader(cc *Chaincode) *loader { return &loader{cc: cc, slots: map[string]*slot{}} }

// slotKey identifies a loaded contract: the namespace (name), the code and everything in the entry that
// shapes the loaded instance.
func slotKey(e Entry) string {
	cfg, _ := json.Marshal(struct {
		I string
		L Limits
	}{e.Isolation, e.Limits})
	return e.Name + "@" + e.SHA256 + "#" + string(cfg)
}

// contractConfig is the engine configuration of an entry.
func (l *loader) contractConfig(e Entry) (engine.ContractConfig, error) {
	iso, err := engine.ParseIsolation(e.Isolation)
	if err != nil {
		return engine.ContractConfig{}, err
	}
	return engine.ContractConfig{Isolation: iso, Limits: e.Limits.engineLimits(l.cc.cfg.callTimeout), MaxIdleInstances: l.cc.cfg.maxIdle}, nil
}

// get returns the loaded contract of entry e. wasm, when not nil, holds the module (a deploy); otherwise the
// bytes come from the ledger through t's stub and are checked against e.SHA256 before anything compiles them.
func (l *loader) get(t *tx, e Entry, wasm []byte, source string) (*engine.Contract, error) {
	key := slotKey(e)
	l.mu.Lock()
	l.tick++
	if s, ok := l.slots[key]; ok {
		s.used = l.tick
		l.mu.Unlock()
		<-s.done
		return s.c, s.err
	}
	s := &slot{name: e.Name, sha: e.SHA256, done: make(chan struct{}), used: l.tick}
	l.slots[key] = s
	l.mu.Unlock()

	start := time.Now()
	s.c, s.err = l.load(t, e, wasm, source)
	outcome := "ok"
	if s.err != nil {
		outcome = "error"
	}
	l.cc.metrics.loads.WithLabelValues(source, outcome).Inc()
	l.cc.metrics.loadSeconds.Observe(time.Since(start).Seconds())
	l.mu.Lock()
	if s.err != nil {
		delete(l.slots, key) // a later transaction tries again (the ledger copy may have been repaired)
	}
	evicted := l.evict(e.Name, key)
	l.cc.metrics.loaded.Set(float64(len(l.slots)))
	l.mu.Unlock()
	close(s.done)
	for _, old := range evicted {
		<-old.done
		if old.c != nil {
			_ = old.c.Close(l.cc.ctx) // running calls finish first
		}
	}
	if s.err == nil {
		tm := s.c.LoadTimings()
		l.cc.log.Info("contract loaded", "contract", e.Name, "version", e.Version, "sha256", e.SHA256, "source", source,
			"compileCacheHit", tm.CacheHit, "compile", tm.Compile, "duration", time.Since(start))
	}
	return s.c, s.err
}

// evict drops the least recently used versions of name beyond the configured number, never keep; l.mu held.
func (l *loader) evict(name, keep string) []*slot {
	var same []string
	for k, s := range l.slots {
		if s.name == name && k != keep {
			same = append(same, k)
		}
	}
	excess := len(same) + 1 - l.cc.cfg.versionsPerName
	if excess <= 0 {
		return nil
	}
	sort.Slice(same, func(i, j int) bool { return l.slots[same[i]].used < l.slots[same[j]].used })
	var out []*slot
	for _, k := range same[:excess] {
		out = append(out, l.slots[k])
		delete(l.slots, k)
	}
	return out
}

func (l *loader) load(t *tx, e Entry, wasm []byte, source string) (*engine.Contract, error) {
	if wasm == nil {
		var err error
		if wasm, err = l.fetch(t.stub, e.SHA256); err != nil {
			return nil, err
		}
	}
	cfg, err := l.contractConfig(e)
	if err != nil {
		return nil, badRequest("contract %s: %v", e.Name, err)
	}
	c, err := l.cc.eng.Load(l.cc.ctx, e.Name, wasm, cfg)
	if err != nil {
		var ve *engine.ValidationError
		if errors.As(err, &ve) {
			return nil, fail(statusBadRequest, outcomeBadRequest, "contract %s %s rejected (%s): %s", e.Name, e.Version, ve.Reason, ve.Message)
		}
		return nil, internal("contract %s %s: load: %v", e.Name, e.Version, err)
	}
	return c, nil
}

// fetch reads the module stored under code/<sha> and verifies its hash. It reads through the key's history
// (the write that stored it) rather than GetState: history reads stay out of the read set, so a peer that has
// to load the module endorses the same read/write set as a peer that had it cached. A peer without a history
// database falls back to GetState.
func (l *loader) fetch(stub shim.ChaincodeStubInterface, sha string) ([]byte, error) {
	wasm, herr := fromHistory(stub, codeKey(sha))
	if herr != nil {
		l.cc.log.Warn("reading module bytes from the key history failed; reading the current value instead (this transaction's read set then names the code key)",
			"sha256", sha, "error", herr)
	}
	if wasm == nil {
		v, err := stub.GetState(codeKey(sha))
		if err != nil {
			return nil, internal("reading module %s: %v", sha, err)
		}
		wasm = v
	}
	if len(wasm) == 0 {
		return nil, fail(statusPrecondition, outcomePrecondition, "module %s is not on the ledger", sha)
	}
	sum := sha256.Sum256(wasm)
	if got := hex.EncodeToString(sum[:]); got != sha {
		l.cc.metrics.integrity.Inc()
		l.cc.log.Error("module bytes on the ledger do not match their sha256: refusing to run them", "want", sha, "got", got, "size", len(wasm))
		return nil, fail(statusInternal, outcomeIntegrity, "%v: the module stored as %s hashes to %s (%d bytes): the ledger copy was tampered with or corrupted; the contract cannot run until it is restored",
			ErrCodeIntegrity, sha, got, len(wasm))
	}
	return wasm, nil
}

// fromHistory returns the newest value written to key according to its history, or nil when it has none.
func fromHistory(stub shim.ChaincodeStubInterface, key string) ([]byte, error) {
	it, err := stub.GetHistoryForKey(key)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	for it.HasNext() {
		m, err := it.Next()
		if err != nil {
			return nil, err
		}
		if m.IsDelete {
			return nil, nil
		}
		if len(m.Value) > 0 {
			return m.Value, nil
		}
	}
	return nil, nil
}
