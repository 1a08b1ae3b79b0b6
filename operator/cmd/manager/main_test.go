package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		o, err := parseFlags(nil, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		if o.metricsAddr != ":8080" || o.probeAddr != ":8081" || o.leaderElect || o.maxConcurrentReconciles != 4 {
			t.Errorf("defaults %+v", o)
		}
		if o.hospital.WasmccImage != "ghcr.io/medledger/wasmcc:dev" || o.hospital.ClusterDomain != "cluster.local" || o.hospital.NetworkDomain != "medledger.local" {
			t.Errorf("hospital options %+v", o.hospital)
		}
		if o.logLevel != "info" || o.logFormat != "json" {
			t.Errorf("logging %s/%s", o.logLevel, o.logFormat)
		}
	})
	t.Run("everything set", func(t *testing.T) {
		o, err := parseFlags([]string{
			"--metrics-bind-address=0", "--health-probe-bind-address=127.0.0.1:9000", "--leader-elect",
			"--leader-election-namespace=ops", "--wasmcc-image=example.org/wasmcc@sha256:abc", "--cluster-domain=k8s.example",
			"--network-domain=fabric.example", "--max-concurrent-reconciles=8", "--log-level=debug", "--log-format=text",
		}, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		want := options{metricsAddr: "0", probeAddr: "127.0.0.1:9000", leaderElect: true, leaderElectionNamespace: "ops",
			maxConcurrentReconciles: 8, logLevel: "debug", logFormat: "text"}
		want.hospital.WasmccImage, want.hospital.ClusterDomain, want.hospital.NetworkDomain = "example.org/wasmcc@sha256:abc", "k8s.example", "fabric.example"
		if o != want {
			t.Errorf("got %+v\nwant %+v", o, want)
		}
	})
}

func TestParseFlags_Errors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--wasmcc-image="}, "--wasmcc-image is empty"},
		{[]string{"--log-level=verbose"}, `--log-level "verbose" is not debug, info or error`},
		{[]string{"--log-format=xml"}, `--log-format "xml" is not json or text`},
		{[]string{"--max-concurrent-reconciles=0"}, "at least 1, got 0"},
		{[]string{"--no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"--leader-elect", "extra"}, `unexpected arguments ["extra"]`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			_, err := parseFlags(tt.args, &out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestNewLogger(t *testing.T) {
	var out bytes.Buffer
	log := newLogger(options{logLevel: "info", logFormat: "json"}, &out)
	log.Info("reconciled", "hospital", "care/st-marys")
	log.V(1).Info("hidden at info")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want the info line only:\n%s", len(lines), out.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, lines[0])
	}
	if rec["msg"] != "reconciled" || rec["hospital"] != "care/st-marys" || rec["level"] != "INFO" || rec["time"] == nil {
		t.Errorf("record %v", rec)
	}
	out.Reset()
	newLogger(options{logLevel: "debug", logFormat: "text"}, &out).V(1).Info("shown at debug")
	if !strings.Contains(out.String(), `msg="shown at debug"`) {
		t.Errorf("debug text log: %q", out.String())
	}
}
