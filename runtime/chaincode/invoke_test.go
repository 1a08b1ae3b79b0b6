package chaincode_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medledger/medledger/runtime/abi"
	"github.com/medledger/medledger/runtime/chaincode"
	"github.com/medledger/medledger/runtime/ledger/fabricstub"
	"github.com/medledger/medledger/runtime/ledger/fabricstub/peertest"
)

func TestChaincode_Invoke(t *testing.T) {
	e := defaultEnv(t)
	e.govern(t)
	e.deploy(t, "notes", "1", module(t, "guest.wasm"), nil)

	t.Run("write then read through the contract's namespace", func(t *testing.T) {
		res := e.submit(t, client1, args("invoke", "notes", "put", "hello"), nil)
		if !res.OK() || string(res.Response.Payload) != "ok" {
			t.Fatalf("put = %d %q %q", res.Response.Status, res.Response.Payload, res.Response.Message)
		}
		if len(res.RWSet.Writes) != 1 || res.RWSet.Writes[0].Key != "ns/notes/k" {
			t.Errorf("writes = %+v, want only ns/notes/k", res.RWSet.Writes)
		}
		if got := e.ok(t, client1, args("query", "notes", "get"), nil); string(got) != "hello" {
			t.Errorf("get = %q", got)
		}
	})
	t.Run("the caller's identity reaches the contract", func(t *testing.T) {
		var id abi.Identity
		if err := json.Unmarshal(e.ok(t, client1, args("query", "notes", "caller"), nil), &id); err != nil {
			t.Fatal(err)
		}
		if id.MSPID != "Hospital1MSP" || id.Role != "client" || id.Attrs["role"] != "clinician" || !strings.HasPrefix(id.ID, "x509::CN=dr-lee,OU=client::") {
			t.Errorf("identity = %+v", id)
		}
	})
	t.Run("events are combined into one chaincode event named after the contract", func(t *testing.T) {
		res := e.submit(t, client1, args("invoke", "notes", "emit", `{"n":1}`), nil)
		if !res.OK() || res.Event == nil || res.Event.EventName != "notes" {
			t.Fatalf("emit: %v %v", res.Response, res.Event)
		}
		evs, err := fabricstub.DecodeEvents(res.Event.Payload)
		if err != nil || len(evs) != 2 || evs[0].Name != "Ping" || evs[1].Name != "Pong" || string(evs[0].Payload) != `{"n":1}` {
			t.Errorf("events = %+v, %v", evs, err)
		}
	})
	t.Run("receipt", func(t *testing.T) {
		var r chaincode.Receipt
		if err := json.Unmarshal(e.ok(t, client1, args("invokeReceipt", "notes", "emit", `{}`), nil), &r); err != nil {
			t.Fatal(err)
		}
		if r.Contract != "notes" || r.Version != "1" || r.Function != "emit" || string(r.ResultBase64) != "ok" || strings.Join(r.Events, ",") != "Ping,Pong" || r.GasUsed == 0 {
			t.Errorf("receipt = %+v", r)
		}
		var q chaincode.Receipt
		json.Unmarshal(e.ok(t, client1, args("queryReceipt", "notes", "get"), nil), &q)
		if string(q.ResultBase64) != "hello" || q.Writes != 0 {
			t.Errorf("query receipt = %+v", q)
		}
	})
}

func TestChaincode_Invoke_Errors(t *testing.T) {
	e := defaultEnv(t)
	e.govern(t)
	e.deploy(t, "notes", "1", module(t, "guest.wasm"), map[string]any{"limits": map[string]any{"memoryPages": 4, "gasLimit": 5_000_000}})
	tests := []struct {
		name   string
		args   [][]byte
		status int32
		want   string
	}{
		{"contract error carries the contract's message", args("invoke", "notes", "fail"), 400, "nope"},
		{"query refuses writes", args("query", "notes", "put", "x"), 500, "query is read-only but the contract wrote \"ns/notes/k\""},
		{"unknown contract", args("invoke", "nothing", "get"), 404, `contract "nothing" is not deployed`},
		{"missing function", args("invoke", "notes"), 400, "want arguments (contract, function[, arguments])"},
		{"empty function name is refused before the guest runs", args("invoke", "notes", ""), 400, "function name is empty"},
		{"an infinite loop runs out of gas", args("invoke", "notes", "spin"), 500, "out-of-gas"},
		{"a memory bomb hits the page limit", args("invoke", "notes", "bomb"), 400, "out of memory"},
		{"unknown chaincode function", args("transfer", "x"), 400, `unknown function "transfer"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.failsWith(t, client1, tt.args, nil, tt.status, tt.want)
		})
	}
	t.Run("other calls keep being served after hostile ones", func(t *testing.T) {
		if got := e.ok(t, client1, args("invoke", "notes", "put", "still here"), nil); string(got) != "ok" {
			t.Errorf("put after traps = %q", got)
		}
	})
	if got := e.metric(t, "wasmcc_transactions_total", map[string]string{"function": "invoke", "outcome": "trap"}); got != 1 {
		t.Errorf("trap transactions = %v, want 1", got)
	}
}

// TestChaincode_Restart is a wasmcc restart: a second chaincode with an empty cache on the same ledger loads the
// contract from the stored bytes and endorses exactly what the warm one does; tampered bytes are refused.
func TestChaincode_Restart(t *testing.T) {
	warm := defaultEnv(t)
	warm.govern(t)
	wasm := module(t, "guest.wasm")
	warm.deploy(t, "notes", "1", wasm, nil)
	warm.ok(t, client1, args("invoke", "notes", "put", "before restart"), nil)

	cold := defaultEnv(t)
	cold.p.Restore(warm.p.Snapshot())
	prop := peertest.Proposal{Creator: client1, Args: args("invoke", "notes", "put", "after"), TxID: "tx-restart", Timestamp: time.Unix(1_800_000_000, 0)}
	wres, err := warm.p.Evaluate(prop)
	if err != nil {
		t.Fatal(err)
	}
	cres, err := cold.p.Evaluate(prop)
	if err != nil {
		t.Fatal(err)
	}
	if !cres.OK() {
		t.Fatalf("cold peer: %d %s", cres.Response.Status, cres.Response.Message)
	}
	if got := cold.metric(t, "wasmcc_contract_loads_total", map[string]string{"source": "ledger", "outcome": "ok"}); got != 1 {
		t.Errorf("ledger loads = %v, want 1", got)
	}
	if !sameRWSet(wres.RWSet, cres.RWSet) || string(wres.Response.Payload) != string(cres.Response.Payload) {
		t.Errorf("cold and warm peers disagree:\nwarm %+v\ncold %+v", wres.RWSet, cres.RWSet)
	}
	if got := cold.ok(t, client1, args("query", "notes", "get"), nil); string(got) != "before restart" {
		t.Errorf("state after restart = %q", got)
	}

	t.Run("tampered bytes are detected", func(t *testing.T) {
		bad := defaultEnv(t)
		bad.p.Restore(warm.p.Snapshot())
		tampered := append([]byte(nil), wasm...)
		tampered[len(tampered)-1] ^= 0xff
		bad.p.SetState("code/"+sha(wasm), tampered)
		for range 2 { // the failure is not cached: every call checks again
			bad.failsWith(t, client1, args("invoke", "notes", "get"), nil, 500, "code integrity check failed: the module stored as "+sha(wasm)+" hashes to "+sha(tampered))
		}
		if got := bad.metric(t, "wasmcc_code_integrity_failures_total", nil); got != 2 {
			t.Errorf("integrity failures = %v, want 2", got)
		}
		bad.p.SetState("code/"+sha(wasm), wasm) // restored
		if got := bad.ok(t, client1, args("query", "notes", "get"), nil); string(got) != "before restart" {
			t.Errorf("after repair = %q", got)
		}
	})
	t.Run("without a history database the bytes come from GetState", func(t *testing.T) {
		nohist := newEnv(t, chaincode.NewConfig(), peertest.Options{HistoryDisabled: true})
		nohist.p.Restore(warm.p.Snapshot())
		if got := nohist.ok(t, client1, args("query", "notes", "get"), nil); string(got) != "before restart" {
			t.Errorf("get = %q", got)
		}
	})
}

func sameRWSet(a, b peertest.RWSet) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestChaincode_Drain(t *testing.T) {
	e := newEnv(t, chaincode.NewConfig(), peertest.Options{})
	e.govern(t)
	e.deploy(t, "notes", "1", module(t, "guest.wasm"), map[string]any{"limits": map[string]any{"gasLimit": 2_000_000_000}})
	var wg sync.WaitGroup
	wg.Add(1)
	started := make(chan struct{})
	go func() {
		defer wg.Done()
		close(started)
		e.submit(t, client1, args("invoke", "notes", "spin"), nil) // runs until its gas runs out
	}()
	<-started
	time.Sleep(100 * time.Millisecond)
	drained := make(chan error, 1)
	go func() { drained <- e.cc.Drain(t.Context()) }()
	time.Sleep(50 * time.Millisecond)
	if !e.cc.Draining() {
		t.Fatal("not draining")
	}
	e.failsWith(t, client1, args("query", "notes", "get"), nil, 503, "shutting down")
	select {
	case err := <-drained:
		t.Fatalf("drain returned %v while a call was running", err)
	default:
	}
	if err := <-drained; err != nil {
		t.Errorf("drain: %v", err)
	}
	wg.Wait()
}

// TestChaincode_CallTimeout: a wasmcc configured with a wall-clock guard (query/simulation deployments) stops a
// call by time; one without it refuses contracts that ask for a timeout, since time is not deterministic.
func TestChaincode_CallTimeout(t *testing.T) {
	guarded := newEnv(t, chaincode.NewConfig().WithCallTimeout(200*time.Millisecond), peertest.Options{})
	guarded.govern(t)
	guarded.deploy(t, "notes", "1", module(t, "guest.wasm"), map[string]any{"limits": map[string]any{"gasLimit": 2_000_000_000}})
	start := time.Now()
	guarded.failsWith(t, client1, args("invoke", "notes", "spin"), nil, 500, "timeout: wall-clock limit 200ms exceeded")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the guard took %s", d)
	}

	plain := defaultEnv(t)
	plain.govern(t)
	plain.failsWith(t, admin1, args("deploy", `{"name":"notes","version":"1","limits":{"timeoutMillis":500}}`),
		map[string][]byte{chaincode.TransientModule: module(t, "guest.wasm")}, 400, "rejected (Limits)")
}
