package engine

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes label calls in medledger_contract_calls_total.
const (
	outcomeOK            = "ok"
	outcomeContractError = "contract_error"
	outcomeInvalid       = "invalid"
)

// metrics are one Engine's Prometheus collectors.
type metrics struct {
	calls     *prometheus.CounterVec   // contract, outcome
	duration  *prometheus.HistogramVec // contract, isolation
	hits      prometheus.Counter
	misses    prometheus.Counter
	instances *prometheus.GaugeVec   // contract
	created   *prometheus.CounterVec // contract
	gas       *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "medledger_contract_calls_total",
			Help: "Contract calls by contract and outcome (ok, contract_error, invalid, or the trap kind).",
		}, []string{"contract", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "medledger_contract_call_duration_seconds",
			Help: "Wall-clock duration of contract calls, including instance acquisition.",
			// 10 µs .. ~5 s: pooled calls take tens of µs, fresh ones milliseconds.
			Buckets: prometheus.ExponentialBuckets(10e-6, 3, 13),
		}, []string{"contract", "isolation"}),
		hits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "medledger_compile_cache_hits_total",
			Help: "Loads whose compiled module was already in the in-memory cache.",
		}),
		misses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "medledger_compile_cache_misses_total",
			Help: "Loads that compiled the module (from the disk cache when it had it).",
		}),
		instances: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "medledger_contract_instances_live",
			Help: "Live WebAssembly instances (idle and running) by contract.",
		}, []string{"contract"}),
		gas: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "medledger_contract_call_gas",
			Help: "Gas used per contract call (metered engines), successes and failures alike; out-of-gas calls count their whole limit.",
			// 1,000 .. ~4e9: a host call costs 1,000, the default limit is 2e8 and the ceiling 2e9.
			Buckets: prometheus.ExponentialBuckets(1e3, 4, 12),
		}, []string{"contract"}),
		created: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "medledger_contract_instantiations_total",
			Help: "WebAssembly instances created by contract: a steadily rising rate under Snapshot or Pooled isolation means calls keep discarding instances (traps, memory growth).",
		}, []string{"contract"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.calls, m.duration, m.hits, m.misses, m.instances, m.created, m.gas} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// contractMetrics are the label-bound collectors of one contract, resolved at Load so calls do no map lookups.
type contractMetrics struct {
	outcomes  map[string]prometheus.Counter
	duration  prometheus.Observer
	instances prometheus.Gauge
	created   prometheus.Counter
	gas       prometheus.Observer
}

func (m *metrics) forContract(name string, iso Isolation) *contractMetrics {
	cm := &contractMetrics{
		outcomes:  map[string]prometheus.Counter{},
		duration:  m.duration.WithLabelValues(name, iso.String()),
		instances: m.instances.WithLabelValues(name),
		created:   m.created.WithLabelValues(name),
		gas:       m.gas.WithLabelValues(name),
	}
	for _, o := range []string{outcomeOK, outcomeContractError, outcomeInvalid, string(TrapWasm), string(TrapLimit),
		string(TrapABI), string(TrapExit), string(TrapPanic), string(TrapOutOfGas), string(TrapDepth), string(TrapTimeout), string(TrapHost)} {
		cm.outcomes[o] = m.calls.WithLabelValues(name, o)
	}
	return cm
}
