package controller

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
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/hospital"
	"github.com/medledger/medledger/operator/internal/testenv"
)

// One kube-apiserver + etcd (built from source into bin/k8s) and one manager running the Hospital controller
// serve the whole package; tests isolate themselves by namespace and run one after another (they share the
// clock). envtest runs no kube-controller-manager and no kubelet: no pods, no StatefulSet or Deployment status,
// no garbage collection. Tests that need those stand in for them explicitly and say so.
var (
	envOnce    sync.Once
	envErr     error
	testEnv    *envtest.Environment
	k8s        client.Client // talks to the API server directly, never through the manager's cache
	reconciler *HospitalReconciler
	clock      = &testClock{}
	stopMgr    context.CancelFunc
	mgrDone    = make(chan struct{})
)

// testOpts are the operator options of the test manager.
var testOpts = hospital.Options{WasmccImage: "ghcr.io/medledger/wasmcc:test"}

func TestMain(m *testing.M) {
	code := m.Run()
	if stopMgr != nil {
		stopMgr()
		<-mgrDone
	}
	if testEnv != nil {
		if err := testEnv.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stopping envtest: %v\n", err)
		}
	}
	os.Exit(code)
}

// testClock is the controller's clock: real time plus an offset the renewal test moves.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

func (c *testClock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = 0
}

// suite starts the shared API server and manager on first use and returns a direct client. A missing binary
// fails the test with the make target that builds it.
func suite(t *testing.T) client.Client {
	t.Helper()
	dir := testenv.EnvtestBin(t)
	envOnce.Do(func() { envErr = start(dir) })
	if envErr != nil {
		t.Fatal(envErr)
	}
	return k8s
}

func testScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, v1alpha1.AddToScheme(s)
}

func start(binDir string) error {
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	scheme, err := testScheme()
	if err != nil {
		return err
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases"), filepath.Join("testdata", "crds")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: binDir,
		// Two shared cores and parallel builds: the default 20 s is not always enough.
		ControlPlaneStartTimeout: 90 * time.Second,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("starting envtest from bin/k8s: %w", err)
	}
	testEnv = env
	if k8s, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	log.SetLogger(testLogger())
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: ptrTo(true)},
	})
	if err != nil {
		return err
	}
	reconciler = &HospitalReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Scheme: scheme,
		Recorder: mgr.GetEventRecorderFor("hospital-controller"), Options: testOpts,
		Clock: clock.Now, MaxConcurrentReconciles: 4, ProblemRetry: time.Second,
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := reconciler.SetupWithManager(ctx, mgr); err != nil {
		cancel()
		return err
	}
	stopMgr = cancel
	go func() {
		defer close(mgrDone)
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "manager: %v\n", err)
		}
	}()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return fmt.Errorf("manager cache did not sync")
	}
	return nil
}

func ptrTo[T any](v T) *T { return &v }

var nsCount sync.Map

// namespace creates a fresh namespace for one test. envtest runs no namespace controller, so namespaces are
// never really deleted; the API server lives only as long as the test binary.
func namespace(t *testing.T, prefix string) string {
	t.Helper()
	c := suite(t)
	n, _ := nsCount.LoadOrStore(prefix, new(int))
	*n.(*int)++
	name := fmt.Sprintf("%s-%d", prefix, *n.(*int))
	if err := c.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
	return name
}
