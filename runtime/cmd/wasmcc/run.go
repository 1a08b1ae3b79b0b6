package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/medledger/medledger/runtime/chaincode"
	"github.com/medledger/medledger/runtime/engine"
)

// options are wasmcc's settings.
type options struct {
	address, ccid                string
	tlsCert, tlsKey, tlsClientCA string
	cacheDir, metricsAddr        string
	logLevel, logFormat          string
	callTimeout, drainTimeout    time.Duration
	maxIdle                      int
}

// parse reads flags, with the environment as defaults.
func parse(args []string, env func(string) (string, bool), stderr io.Writer) (options, error) {
	get := func(key, def string) string {
		if v, ok := env(key); ok {
			return v
		}
		return def
	}
	dur := func(key string, def time.Duration) (time.Duration, error) {
		v, ok := env(key)
		if !ok {
			return def, nil
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			return 0, fmt.Errorf("%s=%q: %w", key, v, err)
		}
		return d, nil
	}
	var o options
	callTimeout, err := dur("WASMCC_CALL_TIMEOUT", 0)
	if err != nil {
		return o, err
	}
	drainTimeout, err := dur("WASMCC_DRAIN_TIMEOUT", 10*time.Second)
	if err != nil {
		return o, err
	}
	fs := flag.NewFlagSet("wasmcc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.address, "address", get("CHAINCODE_SERVER_ADDRESS", ""), "listen address host:port (env CHAINCODE_SERVER_ADDRESS)")
	fs.StringVar(&o.ccid, "ccid", get("CHAINCODE_ID", ""), "chaincode package ID the peers installed (env CHAINCODE_ID)")
	fs.StringVar(&o.tlsCert, "tls-cert", get("CHAINCODE_TLS_CERT", ""), "TLS server certificate, PEM file (env CHAINCODE_TLS_CERT); empty serves plaintext")
	fs.StringVar(&o.tlsKey, "tls-key", get("CHAINCODE_TLS_KEY", ""), "TLS server key, PEM file (env CHAINCODE_TLS_KEY)")
	fs.StringVar(&o.tlsClientCA, "tls-client-ca", get("CHAINCODE_CLIENT_CA_CERT", ""), "CA of the peers' TLS client certificates, PEM file: requires mutual TLS (env CHAINCODE_CLIENT_CA_CERT)")
	fs.StringVar(&o.cacheDir, "cache-dir", get("WASMCC_CACHE_DIR", ""), "disk cache of compiled contracts, kept across restarts (env WASMCC_CACHE_DIR)")
	fs.StringVar(&o.metricsAddr, "metrics-address", get("WASMCC_METRICS_ADDRESS", ""), "host:port serving /metrics and /healthz; empty disables (env WASMCC_METRICS_ADDRESS)")
	fs.StringVar(&o.logLevel, "log-level", get("WASMCC_LOG_LEVEL", "info"), "debug, info, warn or error (env WASMCC_LOG_LEVEL)")
	fs.StringVar(&o.logFormat, "log-format", get("WASMCC_LOG_FORMAT", "json"), "json or text (env WASMCC_LOG_FORMAT)")
	fs.DurationVar(&o.callTimeout, "call-timeout", callTimeout, "wall-clock guard on contract calls, for query-only deployments: gas bounds calls deterministically, time does not; 0 disables (env WASMCC_CALL_TIMEOUT)")
	maxIdle := 16
	if v, ok := env("WASMCC_MAX_IDLE_INSTANCES"); ok {
		if _, err := fmt.Sscan(v, &maxIdle); err != nil {
			return o, fmt.Errorf("WASMCC_MAX_IDLE_INSTANCES=%q: %w", v, err)
		}
	}
	fs.IntVar(&o.maxIdle, "max-idle-instances", maxIdle, "warm instances kept per contract for concurrent endorsements (env WASMCC_MAX_IDLE_INSTANCES)")
	fs.DurationVar(&o.drainTimeout, "drain-timeout", drainTimeout, "how long shutdown waits for transactions in flight (env WASMCC_DRAIN_TIMEOUT)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case o.address == "":
		return o, errors.New("no listen address: set --address or CHAINCODE_SERVER_ADDRESS")
	case o.ccid == "":
		return o, errors.New("no chaincode ID: set --ccid or CHAINCODE_ID to the package ID the peers installed")
	case (o.tlsCert == "") != (o.tlsKey == ""):
		return o, errors.New("TLS needs both --tls-cert and --tls-key")
	case o.tlsClientCA != "" && o.tlsCert == "":
		return o, errors.New("--tls-client-ca needs --tls-cert and --tls-key")
	}
	return o, nil
}

func newLogger(o options, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", o.logLevel)
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(o.logFormat) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, hopts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, hopts)), nil
	}
	return nil, fmt.Errorf("log format %q: want json or text", o.logFormat)
}

func loadTLS(o options) (*tls.Config, error) {
	if o.tlsCert == "" {
		return nil, nil
	}
	read := func(p string) ([]byte, error) {
		if p == "" {
			return nil, nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("TLS: %w", err)
		}
		return b, nil
	}
	cert, err := read(o.tlsCert)
	if err != nil {
		return nil, err
	}
	key, err := read(o.tlsKey)
	if err != nil {
		return nil, err
	}
	ca, err := read(o.tlsClientCA)
	if err != nil {
		return nil, err
	}
	return chaincode.TLSConfig(cert, key, ca)
}

// run serves until ctx ends.
func run(ctx context.Context, args []string, env func(string) (string, bool), stderr io.Writer, onStart started) error {
	o, err := parse(args, env, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(o, stderr)
	if err != nil {
		return err
	}
	tlsCfg, err := loadTLS(o)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	cfg := chaincode.NewConfig().WithLogger(log).WithRegisterer(reg).WithCallTimeout(o.callTimeout).WithMaxIdleInstances(o.maxIdle).
		WithEngine(engine.NewConfig().WithCacheDir(o.cacheDir))
	cc, err := chaincode.New(cfg)
	if err != nil {
		return err
	}
	defer cc.Close(context.Background())

	lis, err := net.Listen("tcp", o.address)
	if err != nil {
		return fmt.Errorf("listen %s: %w", o.address, err)
	}
	metricsAddr := ""
	if o.metricsAddr != "" {
		mlis, err := net.Listen("tcp", o.metricsAddr)
		if err != nil {
			lis.Close()
			return fmt.Errorf("metrics listen %s: %w", o.metricsAddr, err)
		}
		metricsAddr = mlis.Addr().String()
		srv := &http.Server{Handler: opsHandler(cc, reg), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.Serve(mlis); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server", "error", err)
			}
		}()
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
	}
	log.Info("wasmcc starting", "address", lis.Addr().String(), "metrics", metricsAddr, "cacheDir", o.cacheDir, "callTimeout", o.callTimeout)
	if onStart != nil {
		onStart(lis.Addr().String(), metricsAddr)
	}
	return chaincode.Serve(ctx, cc, chaincode.ServerConfig{Listener: lis, CCID: o.ccid, TLS: tlsCfg, DrainTimeout: o.drainTimeout})
}

// opsHandler serves /metrics and /healthz.
func opsHandler(cc *chaincode.Chaincode, reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if cc.Draining() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, `{"status":"shutting down"}`)
			return
		}
		fmt.Fprintln(w, `{"status":"OK"}`)
	})
	return mux
}
