package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/testenv"
)

// manifests renders config/default with kustomize (kubectl kustomize) and decodes it. kubectl is part of the
// machine image and of CI; without it the test fails and says so.
func manifests(t *testing.T) (deploy *appsv1.Deployment, objs []client.Object) {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("kubectl", "kustomize", filepath.Join(root, "config", "default")).Output()
	if err != nil {
		t.Fatalf("kubectl kustomize config/default (kubectl must be on PATH): %v", err)
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	decoder := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	for {
		var raw runtime.RawExtension
		if err := decoder.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if len(bytes.TrimSpace(raw.Raw)) == 0 {
			continue
		}
		obj, _, err := clientgoscheme.Codecs.UniversalDeserializer().Decode(raw.Raw, nil, nil)
		if err != nil {
			continue // CRDs: installed by envtest from config/crd/bases
		}
		co := obj.(client.Object)
		if d, ok := co.(*appsv1.Deployment); ok {
			deploy = d
		}
		objs = append(objs, co)
	}
	if deploy == nil {
		t.Fatal("config/default has no Deployment")
	}
	return deploy, objs
}

// TestManifests_Deployment checks that config/default's manager Deployment passes flags the manager accepts and
// probes the endpoints it serves, and runs it locked down.
func TestManifests_Deployment(t *testing.T) {
	deploy, _ := manifests(t)
	if deploy.Namespace != "medledger-system" || deploy.Spec.Template.Spec.ServiceAccountName != "medledger-controller-manager" {
		t.Errorf("Deployment %s/%s runs as %q", deploy.Namespace, deploy.Name, deploy.Spec.Template.Spec.ServiceAccountName)
	}
	c := deploy.Spec.Template.Spec.Containers[0]
	if c.Image != "ghcr.io/medledger/manager:dev" {
		t.Errorf("image %q", c.Image)
	}
	o, err := parseFlags(c.Args, io.Discard)
	if err != nil {
		t.Fatalf("the manager refuses the Deployment's arguments %q: %v", c.Args, err)
	}
	if !o.leaderElect {
		t.Error("two replicas without leader election")
	}
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if ":"+fmt.Sprint(ports["metrics"]) != o.metricsAddr || ":"+fmt.Sprint(ports["probes"]) != o.probeAddr {
		t.Errorf("ports %v do not match --metrics-bind-address=%s --health-probe-bind-address=%s", ports, o.metricsAddr, o.probeAddr)
	}
	if c.LivenessProbe.HTTPGet.Path != "/healthz" || c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.ReadinessProbe.HTTPGet.Port.StrVal != "probes" {
		t.Errorf("probes %+v %+v", c.LivenessProbe.HTTPGet, c.ReadinessProbe.HTTPGet)
	}
	sc := c.SecurityContext
	if !*sc.ReadOnlyRootFilesystem || *sc.AllowPrivilegeEscalation || sc.Capabilities.Drop[0] != "ALL" || !*deploy.Spec.Template.Spec.SecurityContext.RunAsNonRoot {
		t.Errorf("security context %+v", sc)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func eventually(t *testing.T, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func httpGet(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return string(body), fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(body), nil
}

// TestManager_LeastPrivilege installs config/default's RBAC into a real API server (envtest, built from source),
// runs the manager with the Deployment's own arguments as the manager's ServiceAccount — so with exactly the
// generated role — and checks that it elects itself leader, serves probes and metrics, and brings a Hospital to
// its envtest steady state. A verb missing from the controller's RBAC markers fails this test.
func TestManager_LeastPrivilege(t *testing.T) {
	env := &envtest.Environment{
		BinaryAssetsDirectory: testenv.EnvtestBin(t),
		CRDDirectoryPaths:     []string{filepath.Join(mustRoot(t), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		// Two shared cores and parallel builds: the default 20 s is not always enough.
		ControlPlaneStartTimeout: 90 * time.Second,
	}
	admin, err := env.Start()
	if err != nil {
		t.Fatalf("starting envtest from bin/k8s: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping envtest: %v", err)
		}
	})
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = v1alpha1.AddToScheme(scheme)
	k8s, err := client.New(admin, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	deploy, objs := manifests(t)
	if err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: deploy.Namespace}}); err != nil {
		t.Fatal(err)
	}
	var sa string
	for _, o := range objs {
		switch o.(type) {
		case *rbacv1.ClusterRole, *rbacv1.ClusterRoleBinding, *rbacv1.Role, *rbacv1.RoleBinding, *corev1.ServiceAccount:
			if err := k8s.Create(ctx, o); err != nil {
				t.Fatalf("installing %T %s: %v", o, o.GetName(), err)
			}
			if s, ok := o.(*corev1.ServiceAccount); ok {
				sa = s.Name
			}
		}
	}
	user, err := env.AddUser(envtest.User{
		Name:   "system:serviceaccount:" + deploy.Namespace + ":" + sa,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + deploy.Namespace, "system:authenticated"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := rest.CopyConfig(user.Config())

	metrics, probes := freeAddr(t), freeAddr(t)
	args := append(deploy.Spec.Template.Spec.Containers[0].Args,
		"--metrics-bind-address="+metrics, "--health-probe-bind-address="+probes, "--leader-election-namespace="+deploy.Namespace)
	runCtx, stop := context.WithCancel(ctx)
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(runCtx, args, logs, func() (*rest.Config, error) { return cfg, nil }) }()
	defer func() {
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("manager: %v", err)
			}
		case <-time.After(40 * time.Second):
			t.Error("manager did not stop")
		}
	}()

	eventually(t, 60*time.Second, func() error {
		for _, p := range []string{"/healthz", "/readyz"} {
			if _, err := httpGet("http://" + probes + p); err != nil {
				return err
			}
		}
		return nil
	})
	var lease coordinationv1.Lease
	eventually(t, 60*time.Second, func() error {
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: deploy.Namespace, Name: LeaderElectionID}, &lease); err != nil {
			return err
		}
		if lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity == "" {
			return fmt.Errorf("lease has no holder")
		}
		return nil
	})

	if err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "care"}}); err != nil {
		t.Fatal(err)
	}
	h := &v1alpha1.Hospital{ObjectMeta: metav1.ObjectMeta{Namespace: "care", Name: "st-marys"}, Spec: v1alpha1.HospitalSpec{MSPID: "StMarysMSP"}}
	if err := k8s.Create(ctx, h); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, func() error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(h), h); err != nil {
			return err
		}
		if h.Status.ObservedGeneration != h.Generation || h.Status.CACertificateSecret == "" {
			return fmt.Errorf("not reconciled: %+v", h.Status.Conditions)
		}
		for _, c := range h.Status.Conditions {
			if c.Reason == v1alpha1.ReasonInternalError {
				return fmt.Errorf("%s: %s", c.Type, c.Message)
			}
		}
		var sts appsv1.StatefulSet
		return k8s.Get(ctx, client.ObjectKey{Namespace: "care", Name: "st-marys-peer"}, &sts)
	})

	body, err := httpGet("http://" + metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `controller_runtime_reconcile_total{controller="hospital",result="requeue_after"}`) {
		t.Errorf("metrics lack the hospital controller's reconcile counter:\n%.2000s", body)
	}
	if logs := logs.String(); !strings.Contains(logs, `"msg":"starting manager"`) || strings.Contains(logs, "forbidden") {
		t.Errorf("logs (want JSON, no RBAC refusals):\n%.4000s", logs)
	}
}

func mustRoot(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}
