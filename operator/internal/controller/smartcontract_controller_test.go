package controller

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/runtime/engine"
)

// The SmartContract controller runs in a manager of its own on the package's shared API server (suite), with
// the real runtime gate and no ledger: these tests cover everything before the deploy transaction. The manager
// stops when the test ends.
func smartContractSuite(t *testing.T) client.Client {
	t.Helper()
	c := suite(t)
	scheme, err := testScheme()
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(testEnv.Config, ctrl.Options{
		Scheme: scheme, Cache: CacheOptions(), Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller: config.Controller{SkipNameValidation: ptrTo(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := &SmartContractReconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Recorder: mgr.GetEventRecorderFor("smartcontract-controller"),
		Validator: eng, Retry: 500 * time.Millisecond}
	if err := r.SetupWithManager(mgr); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("SmartContract manager: %v", err)
		}
		_ = eng.Close(context.Background())
	})
	return c
}

func wasmFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "runtime", "engine", "testdata", "wat", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sha(b []byte) v1alpha1.SHA256 {
	s := sha256.Sum256(b)
	return v1alpha1.SHA256(hex.EncodeToString(s[:]))
}

func testConsortium(ns string) *v1alpha1.Consortium {
	return &v1alpha1.Consortium{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "carenet"},
		Spec: v1alpha1.ConsortiumSpec{ChannelName: "care", Orderer: v1alpha1.OrdererSpec{OrgMSPID: "CareOrdererMSP"},
			Members: []v1alpha1.HospitalReference{{Name: "h1"}}},
	}
}

func testSmartContract(ns, name string, src v1alpha1.ContractSource) *v1alpha1.SmartContract {
	return &v1alpha1.SmartContract{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.SmartContractSpec{ConsortiumRef: v1alpha1.ConsortiumReference{Name: "carenet"}, ContractName: name,
			Version: "1.0.0", Source: src},
	}
}

// waitReady waits until the SmartContract's Ready condition has reason and returns the object.
func waitReason(t *testing.T, c client.Client, key client.ObjectKey, reason string) *v1alpha1.SmartContract {
	t.Helper()
	var sc v1alpha1.SmartContract
	var last *metav1.Condition
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err := c.Get(context.Background(), key, &sc); err != nil {
			t.Fatal(err)
		}
		if last = meta.FindStatusCondition(sc.Status.Conditions, v1alpha1.ConditionReady); last != nil && last.Reason == reason {
			return &sc
		}
	}
	t.Fatalf("%s: Ready is %+v, want reason %s", key, last, reason)
	return nil
}

func TestSmartContractReconciler_Reconcile(t *testing.T) {
	c := smartContractSuite(t)
	ctx := context.Background()
	ns := namespace(t, "smc")
	ok, forbidden := wasmFile(t, "ok.wasm"), wasmFile(t, "forbidden_wasi.wasm")
	cms := map[string][]byte{"ok.wasm.gz": gzipped(t, ok), "forbidden.wasm": forbidden}
	if err := c.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "modules"}, BinaryData: cms}); err != nil {
		t.Fatal(err)
	}
	cons := testConsortium(ns)
	if err := c.Create(ctx, cons); err != nil {
		t.Fatal(err)
	}
	gz := v1alpha1.CompressionGzip
	tests := []struct {
		name   string
		src    v1alpha1.ContractSource
		reason string
		phase  v1alpha1.SmartContractPhase
		cond   string // the step condition that carries the reason
		msg    string
	}{
		{"missing-configmap", v1alpha1.ContractSource{ConfigMap: &v1alpha1.ConfigMapModuleSource{Name: "absent", Key: "m"}},
			v1alpha1.ReasonSourceNotFound, v1alpha1.PhaseFetching, v1alpha1.SmartContractSourceAvailable, `ConfigMap "absent" not found`},
		{"wrong-sha", v1alpha1.ContractSource{ConfigMap: &v1alpha1.ConfigMapModuleSource{Name: "modules", Key: "ok.wasm.gz", Compression: gz, SHA256: sha([]byte("x"))}},
			v1alpha1.ReasonDigestMismatch, v1alpha1.PhaseFailed, v1alpha1.SmartContractSourceAvailable, string(sha(ok))},
		{"forbidden-import", v1alpha1.ContractSource{ConfigMap: &v1alpha1.ConfigMapModuleSource{Name: "modules", Key: "forbidden.wasm"}},
			v1alpha1.ReasonModuleInvalid, v1alpha1.PhaseFailed, v1alpha1.SmartContractModuleValid, "ForbiddenImport"},
		{"oci", v1alpha1.ContractSource{OCI: &v1alpha1.OCIModuleSource{Reference: "ghcr.io/medledger/consent:1.0.0"}},
			v1alpha1.ReasonInvalidSpec, v1alpha1.PhaseFailed, v1alpha1.SmartContractSourceAvailable, "not supported"},
		{"consent", v1alpha1.ContractSource{ConfigMap: &v1alpha1.ConfigMapModuleSource{Name: "modules", Key: "ok.wasm.gz", Compression: gz, SHA256: sha(ok)}},
			v1alpha1.ReasonConsortiumNotReady, v1alpha1.PhasePending, v1alpha1.SmartContractDeployed, `Consortium "carenet" is not ready`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testSmartContract(ns, tt.name, tt.src)
			if err := c.Create(ctx, sc); err != nil {
				t.Fatal(err)
			}
			got := waitReason(t, c, client.ObjectKeyFromObject(sc), tt.reason)
			step := meta.FindStatusCondition(got.Status.Conditions, tt.cond)
			if got.Status.Phase != tt.phase || step == nil || step.Reason != tt.reason || !strings.Contains(step.Message, tt.msg) {
				t.Fatalf("phase %s, %s %+v; want phase %s, reason %s, message containing %q", got.Status.Phase, tt.cond, step, tt.phase, tt.reason, tt.msg)
			}
			if got.Status.DeployTxID != "" || got.Status.DeployedVersion != "" {
				t.Fatalf("half-deployed: %+v", got.Status)
			}
		})
	}

	// The consortium's contract runtime gets committed: the valid contract moves on to Deploying (no ledger here).
	cons.Status.Conditions = []metav1.Condition{{Type: v1alpha1.ConsortiumContractRuntimeCommitted, Status: metav1.ConditionTrue,
		Reason: v1alpha1.ReasonContractRuntimeCommitted, Message: "committed", LastTransitionTime: metav1.Now()}}
	cons.Status.ContractRuntime = &v1alpha1.ChaincodeDefinitionStatus{Name: "wasmcc", Version: "1", Sequence: 1, PackageID: "wasmcc:abc"}
	if err := c.Status().Update(ctx, cons); err != nil {
		t.Fatal(err)
	}
	got := waitReason(t, c, client.ObjectKey{Namespace: ns, Name: "consent"}, v1alpha1.ReasonProgressing)
	if got.Status.Phase != v1alpha1.PhaseDeploying || got.Status.Digest != string(sha(ok)) || got.Status.ShortDigest != string(sha(ok))[:12] ||
		got.Status.ABIVersion != 1 || len(got.Status.Exports) == 0 || got.Status.SizeBytes != int64(len(ok)) {
		t.Fatalf("status %+v", got.Status)
	}
}
