package testenv_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/medledger/medledger/operator/internal/testenv"
)

// TestFabricBinaries_Version proves the Fabric binaries are the real v3.1.1 built by hack/tools.
func TestFabricBinaries_Version(t *testing.T) {
	dir := testenv.FabricBin(t)
	for _, bin := range []string{"peer", "orderer"} {
		out, err := exec.Command(filepath.Join(dir, bin), "version").CombinedOutput()
		if err != nil {
			t.Fatalf("%s version: %v\n%s", bin, err, out)
		}
		if !strings.Contains(string(out), "Version: 3.1.1") {
			t.Errorf("%s version does not report 3.1.1:\n%s", bin, out)
		}
	}
}

// TestEnvtest_CreateObject starts the source-built kube-apiserver + etcd and round-trips an object through them.
func TestEnvtest_CreateObject(t *testing.T) {
	env := &envtest.Environment{BinaryAssetsDirectory: testenv.EnvtestBin(t)}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start envtest: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop envtest: %v", err)
		}
	})
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	want := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "sanity", Namespace: "default"},
		Data:       map[string]string{"ledger": "shared"},
	}
	if err := c.Create(ctx, want); err != nil {
		t.Fatalf("create: %v", err)
	}
	var got corev1.ConfigMap
	if err := c.Get(ctx, client.ObjectKeyFromObject(want), &got); err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Data["ledger"] != "shared" || got.UID == "" {
		t.Errorf("round trip: got data %v uid %q", got.Data, got.UID)
	}
	if v := discoveryVersion(t, env); !strings.HasPrefix(v, "v1.34.4") {
		t.Errorf("kube-apiserver reports %q, want v1.34.4", v)
	}
}
