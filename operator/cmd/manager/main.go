// Command manager runs medledger's Kubernetes operator: the controllers that turn Hospital resources into Fabric
// peers, their identities and their contract runtime. It serves Prometheus metrics and health probes, elects a
// leader so that several replicas can run, and logs structured JSON (one object per line) to standard error.
//
//	manager --wasmcc-image=ghcr.io/medledger/wasmcc:v0.1.0 --leader-elect
//
// Run `manager --help` for every flag. It finds the cluster in a pod through its service account, elsewhere
// through $KUBECONFIG or ~/.kube/config.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/controller"
	"github.com/medledger/medledger/operator/internal/hospital"
)

// version is the operator's release, set at build time (-ldflags "-X main.version=v0.1.0"); the default wasmcc
// image carries the same tag.
var version = "dev"

// LeaderElectionID names the Lease the manager replicas compete for.
const LeaderElectionID = "medledger-operator.medledger.io"

// options are the manager's settings, from its flags.
type options struct {
	metricsAddr, probeAddr  string
	leaderElect             bool
	leaderElectionNamespace string
	hospital                hospital.Options
	maxConcurrentReconciles int
	logLevel, logFormat     string
}

// parseFlags reads the command line.
//
// # Errors
//   - an unknown flag or a malformed value (flag's own message, usage printed to out);
//   - an empty --wasmcc-image, a --log-level other than debug, info or error, a --log-format other than json or
//     text, or --max-concurrent-reconciles below 1.
func parseFlags(args []string, out io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.metricsAddr, "metrics-bind-address", ":8080", "address of the Prometheus /metrics endpoint (plain HTTP); \"0\" turns it off")
	fs.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "address of the /healthz and /readyz probes")
	fs.BoolVar(&o.leaderElect, "leader-elect", false, "elect a leader through a Lease, so that only one replica reconciles")
	fs.StringVar(&o.leaderElectionNamespace, "leader-election-namespace", "", "namespace of the leader Lease (default: the manager's own namespace)")
	fs.StringVar(&o.hospital.WasmccImage, "wasmcc-image", "ghcr.io/medledger/wasmcc:"+version, "wasmcc image for Hospitals that do not set spec.contractRuntime.image")
	fs.StringVar(&o.hospital.ClusterDomain, "cluster-domain", hospital.DefaultClusterDomain, "the cluster's DNS suffix, used in peer addresses and TLS names")
	fs.StringVar(&o.hospital.NetworkDomain, "network-domain", hospital.DefaultNetworkDomain, "base of the Fabric organisation domains: <hospital>.<namespace>.<network-domain>")
	fs.IntVar(&o.maxConcurrentReconciles, "max-concurrent-reconciles", 4, "Hospitals reconciled at once")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info or error")
	fs.StringVar(&o.logFormat, "log-format", "json", "json or text")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var errs []error
	if o.hospital.WasmccImage == "" {
		errs = append(errs, errors.New("--wasmcc-image is empty"))
	}
	if _, err := slogLevel(o.logLevel); err != nil {
		errs = append(errs, err)
	}
	if o.logFormat != "json" && o.logFormat != "text" {
		errs = append(errs, fmt.Errorf("--log-format %q is not json or text", o.logFormat))
	}
	if o.maxConcurrentReconciles < 1 {
		errs = append(errs, fmt.Errorf("--max-concurrent-reconciles must be at least 1, got %d", o.maxConcurrentReconciles))
	}
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	return o, errors.Join(errs...)
}

func slogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("--log-level %q is not debug, info or error", s)
}

// newLogger returns the structured logger for the manager, controller-runtime and client-go. logr's verbosity
// V(n) maps to slog level -n, so --log-level=debug shows V(1) messages.
func newLogger(o options, w io.Writer) logr.Logger {
	level, _ := slogLevel(o.logLevel)
	hopts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(w, hopts)
	if o.logFormat == "text" {
		h = slog.NewTextHandler(w, hopts)
	}
	return logr.FromSlogHandler(h)
}

// newManager builds the controller manager with the Hospital controller, metrics, probes and leader election.
//
// # Errors
//   - the manager cannot be created (for example an address already in use) or the controller not registered.
func newManager(ctx context.Context, o options, cfg *rest.Config) (ctrl.Manager, error) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Cache:                         controller.CacheOptions(),
		Metrics:                       metricsserver.Options{BindAddress: o.metricsAddr},
		HealthProbeBindAddress:        o.probeAddr,
		LeaderElection:                o.leaderElect,
		LeaderElectionID:              LeaderElectionID,
		LeaderElectionNamespace:       o.leaderElectionNamespace,
		LeaderElectionReleaseOnCancel: true, // the next leader need not wait for the lease to expire
		GracefulShutdownTimeout:       ptr(30 * time.Second),
	})
	if err != nil {
		return nil, fmt.Errorf("creating manager: %w", err)
	}
	r := &controller.HospitalReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Scheme: scheme,
		Recorder: mgr.GetEventRecorderFor("hospital-controller"), Options: o.hospital,
		MaxConcurrentReconciles: o.maxConcurrentReconciles,
	}
	if err := r.SetupWithManager(ctx, mgr); err != nil {
		return nil, fmt.Errorf("registering the Hospital controller: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return nil, err
	}
	// Ready once the informers have synced: before that the controller would act on an empty cache.
	if err := mgr.AddReadyzCheck("readyz", func(req *http.Request) error {
		if !mgr.GetCache().WaitForCacheSync(req.Context()) {
			return errors.New("informer caches not synced")
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return mgr, nil
}

func ptr[T any](v T) *T { return &v }

// run parses args, builds the manager for the cluster cfg returns, and runs it until ctx ends.
func run(ctx context.Context, args []string, stderr io.Writer, cfg func() (*rest.Config, error)) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(o, stderr)
	ctrl.SetLogger(log)
	klog.SetLogger(log)
	rc, err := cfg()
	if err != nil {
		return fmt.Errorf("finding the cluster: %w", err)
	}
	mgr, err := newManager(ctx, o, rc)
	if err != nil {
		return err
	}
	log.Info("starting manager", "version", version, "wasmccImage", o.hospital.WasmccImage, "leaderElection", o.leaderElect,
		"metrics", o.metricsAddr, "probes", o.probeAddr)
	return mgr.Start(ctx)
}

func main() {
	err := run(ctrl.SetupSignalHandler(), os.Args[1:], os.Stderr, ctrl.GetConfig)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "manager:", err)
		os.Exit(1)
	}
}
