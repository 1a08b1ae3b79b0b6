package controller

import (
	"fmt"
	"sync"
	"testing"
	"time"

	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

// reconcileCounts reads controller-runtime's own reconcile counter for the Hospital controller, by result
// (success, error, requeue, requeue_after): the same figure an operator's Prometheus would show.
func reconcileCounts(t *testing.T) map[string]float64 {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "controller_runtime_reconcile_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["controller"] == "hospital" {
				out[labels["result"]] += m.GetCounter().GetValue()
				out["total"] += m.GetCounter().GetValue()
			}
		}
	}
	return out
}

func diffCounts(after, before map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// TestHospitalReconciler_TwentyAtOnce creates 20 Hospitals at once and measures how long they take to reach their
// envtest steady state and how many reconciles that takes, then counts reconciles while nothing changes: the
// controller must be quiet at rest. The figures are logged (go test -v -run TwentyAtOnce).
func TestHospitalReconciler_TwentyAtOnce(t *testing.T) {
	const n = 20
	ns := namespace(t, "twenty")
	before := reconcileCounts(t)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			create(t, newHospital(ns, fmt.Sprintf("hospital-%02d", i), withPeers(2)))
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		reconciled(t, ns, fmt.Sprintf("hospital-%02d", i), steadyInEnvtest)
	}
	elapsed := time.Since(start)
	// Steady also means no pass is still queued: wait until the counter has not moved for a second.
	toSteady := diffCounts(reconcileCounts(t), before)
	for still := time.Now(); time.Since(still) < time.Second; time.Sleep(100 * time.Millisecond) {
		if now := diffCounts(reconcileCounts(t), before); now["total"] != toSteady["total"] {
			toSteady, still = now, time.Now()
		}
	}

	// At rest: nothing changes, so nothing may be reconciled.
	rest := reconcileCounts(t)
	const quiet = 5 * time.Second
	time.Sleep(quiet)
	atRest := diffCounts(reconcileCounts(t), rest)

	t.Logf("%d Hospitals (2 peers each) reached steady state in %s: %.0f reconciles (%.1f per Hospital) %v; at rest for %s: %.0f reconciles %v",
		n, elapsed.Round(10*time.Millisecond), toSteady["total"], toSteady["total"]/n, toSteady, quiet, atRest["total"], atRest)
	if atRest["total"] != 0 {
		t.Errorf("%v reconciles at rest, want none", atRest)
	}
	if toSteady["error"] > 0 {
		t.Logf("note: %v reconciles ended in an error (conflicts are retried)", toSteady["error"])
	}
	if per := toSteady["total"] / n; per > 10 {
		t.Errorf("%.1f reconciles per Hospital to reach steady state, want at most 10", per)
	}
	var h v1alpha1.Hospital
	if err := get(ns, "hospital-07", &h); err != nil || h.Status.Peers != "0/2" {
		t.Errorf("hospital-07: %v, peers %q", err, h.Status.Peers)
	}
}
