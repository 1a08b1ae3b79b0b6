package chaincode

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the chaincode's Prometheus collectors (the engine registers its own, medledger_contract_*).
type metrics struct {
	transactions *prometheus.CounterVec   // function, outcome
	duration     *prometheus.HistogramVec // function
	inflight     prometheus.Gauge
	loads        *prometheus.CounterVec // source (deploy, ledger), outcome (ok, error)
	loadSeconds  prometheus.Histogram
	integrity    prometheus.Counter
	loaded       prometheus.Gauge
	gas          *prometheus.CounterVec // contract
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		transactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wasmcc_transactions_total",
			Help: "Chaincode transactions (endorsements and queries) by function and outcome.",
		}, []string{"function", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "wasmcc_transaction_duration_seconds",
			Help: "Time wasmcc spent on a transaction, ledger round trips included.",
			// 50 µs .. ~30 s: a cached call takes well under a millisecond, a deploy compiles for seconds.
			Buckets: prometheus.ExponentialBuckets(50e-6, 3, 13),
		}, []string{"function"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wasmcc_transactions_inflight",
			Help: "Transactions being served now.",
		}),
		loads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wasmcc_contract_loads_total",
			Help: "Contract loads (validate, compile, initialise) by where the bytes came from (deploy, ledger) and outcome.",
		}, []string{"source", "outcome"}),
		loadSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "wasmcc_contract_load_duration_seconds",
			Help:    "Time to load a contract, fetching its bytes from the ledger included.",
			Buckets: prometheus.ExponentialBuckets(1e-3, 3, 10),
		}),
		integrity: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wasmcc_code_integrity_failures_total",
			Help: "Module bytes read from the ledger whose sha256 did not match the registry (tampering or corruption).",
		}),
		loaded: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wasmcc_contracts_loaded",
			Help: "Contract versions loaded in memory.",
		}),
		gas: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wasmcc_gas_used_total",
			Help: "Gas used by successful contract calls, by contract (0 until the engine meters gas).",
		}, []string{"contract"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.transactions, m.duration, m.inflight, m.loads, m.loadSeconds, m.integrity, m.loaded, m.gas} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) observe(function, outcome string, d time.Duration) {
	if _, ok := handlers[function]; !ok {
		function = "unknown" // bound the label's cardinality
	}
	m.transactions.WithLabelValues(function, outcome).Inc()
	m.duration.WithLabelValues(function).Observe(d.Seconds())
}
