package chaincode

import (
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/medledger/medledger/runtime/engine"
)

// Config configures a Chaincode. It is immutable: every With* method returns a modified copy. Start from
// NewConfig.
type Config struct {
	engine          engine.Config
	logger          *slog.Logger
	registerer      prometheus.Registerer
	callTimeout     time.Duration
	versionsPerName int
	maxIdle         int
}

// defaultConfig holds every default in one place.
var defaultConfig = Config{
	engine:          engine.NewConfig(),
	logger:          slog.New(slog.NewTextHandler(io.Discard, nil)),
	registerer:      nil,
	callTimeout:     0,
	versionsPerName: 2,
	maxIdle:         16,
}

// NewConfig returns the defaults:
//   - engine.NewConfig() for the sandbox: deterministic gas metering, no disk compilation cache;
//   - logs discarded (WithLogger), metrics unregistered (WithRegisterer);
//   - no wall-clock limit on contract calls: gas bounds them (WithCallTimeout);
//   - at most 2 loaded versions per contract name (WithVersionsPerName);
//   - up to 16 warm instances per loaded contract (WithMaxIdleInstances).
func NewConfig() Config { return defaultConfig }

// WithEngine returns a copy that builds its sandbox from c (cache dir, ceilings, module size cap, metering and
// its cost table...). The registerer of WithRegisterer replaces c's.
func (c Config) WithEngine(e engine.Config) Config { c.engine = e; return c }

// WithLogger returns a copy that writes structured logs to l (nil discards them).
func (c Config) WithLogger(l *slog.Logger) Config {
	if l == nil {
		l = defaultConfig.logger
	}
	c.logger = l
	return c
}

// WithRegisterer returns a copy whose chaincode and engine register their Prometheus metrics with r.
func (c Config) WithRegisterer(r prometheus.Registerer) Config { c.registerer = r; return c }

// WithCallTimeout returns a copy whose contract calls also stop after d of wall-clock time unless the
// contract's limits set another timeout (and whose engine then checks the clock in loops). Gas, not time,
// bounds calls on the endorsement path: whether a call finishes in time may differ between peers, so this is
// for deployments that serve queries and simulation only. 0 (the default) disables it.
func (c Config) WithCallTimeout(d time.Duration) Config { c.callTimeout = d; return c }

// WithVersionsPerName returns a copy that keeps at most n loaded versions of one contract name (the current
// one and those being deployed or still called); older ones are closed. n < 1 means 1.
func (c Config) WithVersionsPerName(n int) Config { c.versionsPerName = max(n, 1); return c }

// WithMaxIdleInstances returns a copy that keeps up to n warm instances of each loaded contract for reuse
// (engine ContractConfig.MaxIdleInstances). A peer runs many endorsements at once and each waits on ledger
// round trips, so more calls run concurrently than there are CPUs; a call that finds no warm instance pays
// for a new one. n < 1 means the engine's default (GOMAXPROCS).
func (c Config) WithMaxIdleInstances(n int) Config { c.maxIdle = max(n, 0); return c }
