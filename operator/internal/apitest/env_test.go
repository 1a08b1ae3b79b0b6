package apitest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/testenv"
)

// One API server serves the whole package: starting kube-apiserver and etcd takes seconds, every case after that
// milliseconds. Tests isolate themselves by namespace.
var (
	envOnce   sync.Once
	envErr    error
	testEnv   *envtest.Environment
	k8sClient client.Client
)

func TestMain(m *testing.M) {
	code := m.Run()
	if testEnv != nil {
		if err := testEnv.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stopping envtest: %v\n", err)
		}
	}
	os.Exit(code)
}

// repoRoot is the folder that holds medledger's go.mod.
func repoRoot() (string, error) { return testenv.RepoRoot() }

// apiClient starts the shared API server on first use and returns a client for it. A missing binary fails the
// test: a CRD suite that skips would let broken rules through CI.
func apiClient(t *testing.T) client.Client {
	t.Helper()
	envOnce.Do(func() { envErr = startEnv() })
	if envErr != nil {
		t.Fatal(envErr)
	}
	return k8sClient
}

func startEnv() error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	assets, err := testenv.Binaries(testenv.EnvtestBinDir, "tools", "kube-apiserver", "etcd")
	if err != nil {
		return fmt.Errorf("envtest binaries: %w", err)
	}
	// envtest prefers KUBEBUILDER_ASSETS over BinaryAssetsDirectory; the suite runs the source-built binaries only.
	if err := os.Unsetenv("KUBEBUILDER_ASSETS"); err != nil {
		return err
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return err
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
		// Two shared cores and parallel builds: the default 20 s is not always enough.
		ControlPlaneStartTimeout: 90 * time.Second,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("starting envtest from bin/k8s: %w", err)
	}
	testEnv = env
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return fmt.Errorf("creating API client: %w", err)
	}
	k8sClient = c
	return nil
}

// namespace creates a fresh namespace for one test, named after prefix. envtest runs no namespace controller, so
// namespaces are never really deleted; the API server lives only as long as the test binary.
func namespace(t *testing.T, prefix string) string {
	t.Helper()
	c := apiClient(t)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"}}
	if err := c.Create(context.Background(), ns); err != nil {
		t.Fatalf("creating namespace %s-*: %v", prefix, err)
	}
	return ns.Name
}
