package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/medledger/medledger/runtime/ledger/fabricstub/peertest"
)

// syncBuffer is a log sink safe for the server's goroutines.
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

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestRun(t *testing.T) {
	cache := t.TempDir()
	env := envOf(map[string]string{
		"CHAINCODE_SERVER_ADDRESS": "127.0.0.1:0", "CHAINCODE_ID": "wasmcc_1:feed", "WASMCC_METRICS_ADDRESS": "127.0.0.1:0",
		"WASMCC_CACHE_DIR": cache, "WASMCC_LOG_LEVEL": "debug",
	})
	var logs syncBuffer
	ctx, stop := context.WithCancel(context.Background())
	addrs := make(chan [2]string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, nil, env, &logs, func(g, m string) { addrs <- [2]string{g, m} })
	}()
	var a [2]string
	select {
	case a = <-addrs:
	case err := <-done:
		t.Fatalf("run: %v\n%s", err, logs.String())
	}
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + a[1] + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || !strings.Contains(body, `"OK"`) {
		t.Errorf("/healthz = %d %s", code, body)
	}

	conn, err := grpc.NewClient(a[0], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	p, err := peertest.Connect(ctx, conn, peertest.Options{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	admin := peertest.MustIdentity("Hospital1MSP", "Admin@hospital1", "admin", nil)
	res, err := p.Submit(peertest.Proposal{Creator: admin, Args: [][]byte{[]byte("setGovernance"), []byte(`{"members":["Hospital1MSP"]}`)}})
	if err != nil || !res.OK() {
		t.Fatalf("setGovernance: %v %v", err, res.Response)
	}
	wasm, err := os.ReadFile(filepath.Join("..", "..", "chaincode", "testdata", "guest.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	res, err = p.Submit(peertest.Proposal{Creator: admin, Args: [][]byte{[]byte("deploy"), []byte(`{"name":"notes","version":"1"}`)}, Transient: map[string][]byte{"module": wasm}})
	if err != nil || !res.OK() {
		t.Fatalf("deploy: %v %v", err, res.Response)
	}
	res, err = p.Submit(peertest.Proposal{Creator: admin, Args: [][]byte{[]byte("invoke"), []byte("notes"), []byte("fail")}})
	if err != nil || res.OK() {
		t.Fatalf("failing invoke: %v %v", err, res.Response)
	}
	p.Close()

	_, metrics := get("/metrics")
	for _, want := range []string{
		`wasmcc_transactions_total{function="deploy",outcome="ok"} 1`,
		`wasmcc_transactions_total{function="invoke",outcome="contract_error"} 1`,
		`wasmcc_contract_loads_total{outcome="ok",source="deploy"} 1`,
		`medledger_contract_calls_total{contract="notes",outcome="contract_error"} 1`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after SIGTERM-equivalent: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
	var sawFailure, sawStop bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		if rec["msg"] == "transaction failed" && rec["contract"] == "notes" && rec["error"] == "nope" {
			sawFailure = true
		}
		if rec["msg"] == "wasmcc stopped" {
			sawStop = true
		}
	}
	if !sawFailure || !sawStop {
		t.Errorf("logs lack the failed transaction (%v) or the stop (%v):\n%s", sawFailure, sawStop, logs.String())
	}
	if entries, _ := os.ReadDir(cache); len(entries) == 0 {
		t.Error("the compile cache dir stayed empty")
	}
}

func TestRun_Errors(t *testing.T) {
	base := map[string]string{"CHAINCODE_SERVER_ADDRESS": "127.0.0.1:0", "CHAINCODE_ID": "x"}
	with := func(kv ...string) func(string) (string, bool) {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "<unset>" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return envOf(m)
	}
	tests := []struct {
		name string
		args []string
		env  func(string) (string, bool)
		want string
	}{
		{"no address", nil, with("CHAINCODE_SERVER_ADDRESS", "<unset>"), "no listen address"},
		{"no chaincode ID", nil, with("CHAINCODE_ID", "<unset>"), "no chaincode ID"},
		{"certificate without key", []string{"--tls-cert", "c.pem"}, with(), "both --tls-cert and --tls-key"},
		{"client CA without TLS", []string{"--tls-client-ca", "ca.pem"}, with(), "--tls-client-ca needs"},
		{"missing TLS files", []string{"--tls-cert", "/nonexistent/c", "--tls-key", "/nonexistent/k"}, with(), "no such file"},
		{"bad log level", nil, with("WASMCC_LOG_LEVEL", "loud"), `log level "loud"`},
		{"bad log format", nil, with("WASMCC_LOG_FORMAT", "xml"), `log format "xml"`},
		{"bad duration", nil, with("WASMCC_CALL_TIMEOUT", "soon"), `WASMCC_CALL_TIMEOUT="soon"`},
		{"stray argument", []string{"serve"}, with(), "unexpected arguments"},
		{"unknown flag", []string{"--port", "1"}, with(), "flag provided but not defined"},
		{"unusable address", nil, with("CHAINCODE_SERVER_ADDRESS", "256.0.0.1:1"), "listen 256.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, tt.env, io.Discard, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run = %v, want %q", err, tt.want)
			}
		})
	}
}
