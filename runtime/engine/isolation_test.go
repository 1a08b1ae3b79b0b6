package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// TestContract_Call_Isolation: guest memory survives between calls only in Pooled mode.
func TestContract_Call_Isolation(t *testing.T) {
	tests := []struct {
		mode engine.Isolation
		want []string
	}{
		{engine.Snapshot, []string{"1", "1", "1"}},
		{engine.Fresh, []string{"1", "1", "1"}},
		{engine.Pooled, []string{"1", "2", "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			// A contract of its own, so no other test's calls touched its pooled instance.
			e := newEngine(t, engine.NewConfig())
			c, err := e.Load(context.Background(), "counter", guest(t), engine.ContractConfig{Isolation: tt.mode, MaxIdleInstances: 1})
			if err != nil {
				t.Fatal(err)
			}
			st := ledger.NewMemory()
			var got []string
			for range tt.want {
				got = append(got, string(mustCall(t, c, st, "counter", `{}`).Output))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("counter = %v, want %v", got, tt.want)
			}
		})
	}
}

type txinfo struct {
	TxID     string `json:"txId"`
	TS       int64  `json:"ts"`
	Now      int64  `json:"now"`
	Rand     []byte `json:"rand"`
	MapOrder string `json:"mapOrder"`
}

// TestContract_Call_Deterministic: the same call gives byte-identical output and writes across runs and across
// the Snapshot and Fresh modes; clocks read the transaction timestamp; randomness follows the tx id.
func TestContract_Call_Deterministic(t *testing.T) {
	run := func(mode engine.Isolation, txID string) (engine.Result, ledger.RWSet) {
		c := goContract(t, "consent", engine.ContractConfig{Isolation: mode})
		st := ledger.NewMemory()
		_ = st.PutState("ns/consent/patient/p1", []byte(`{}`))
		_, _ = st.Commit()
		res, err := c.Call(context.Background(), engine.Call{Function: "txinfo", State: st, TxID: txID, Timestamp: testTime})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Call(context.Background(), engine.Call{Function: "consent", Args: consentArgs, State: st, TxID: txID, Timestamp: testTime}); err != nil {
			t.Fatal(err)
		}
		return res, st.RWSet()
	}
	first, firstRW := run(engine.Snapshot, "tx-a")
	var info txinfo
	if err := json.Unmarshal(first.Output, &info); err != nil {
		t.Fatal(err)
	}
	if info.TS != testTime.UnixNano() || info.Now != testTime.UnixNano() || info.TxID != "tx-a" || len(info.Rand) != 16 {
		t.Fatalf("txinfo = %+v, want ts = now = %d", info, testTime.UnixNano())
	}
	for _, mode := range []engine.Isolation{engine.Snapshot, engine.Snapshot, engine.Fresh, engine.Fresh} {
		res, rw := run(mode, "tx-a")
		if string(res.Output) != string(first.Output) || !reflect.DeepEqual(rw, firstRW) {
			t.Fatalf("%s run differs:\n%s\n%s\n%+v\n%+v", mode, res.Output, first.Output, rw, firstRW)
		}
	}
	other, _ := run(engine.Snapshot, "tx-b")
	var otherInfo txinfo
	_ = json.Unmarshal(other.Output, &otherInfo)
	if string(otherInfo.Rand) == string(info.Rand) {
		t.Fatal("a different tx id gave the same random bytes")
	}
	if otherInfo.MapOrder != info.MapOrder {
		t.Fatal("map iteration order depends on the tx id; it must come from the post-_initialize snapshot")
	}
}

// TestContract_Call_Concurrent runs many calls at once; each gets its own instance and the right answer.
func TestContract_Call_Concurrent(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			c := goContract(t, "consent", engine.ContractConfig{Isolation: mode})
			const goroutines, calls = 8, 10
			n := calls
			if mode == engine.Fresh {
				n = 2
			}
			var wg sync.WaitGroup
			errs := make(chan error, goroutines*n)
			for g := 0; g < goroutines; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < n; i++ {
						st := ledger.NewMemory()
						key := fmt.Sprintf("g%d-%d", g, i)
						res, err := c.Call(context.Background(), engine.Call{Function: "readown",
							Args: []byte(`{"key":"` + key + `","value":"` + key + `"}`), State: st, TxID: key, Timestamp: time.Unix(1, 0)})
						if err == nil && string(res.Output) != key {
							err = fmt.Errorf("call %s returned %q", key, res.Output)
						}
						if err == nil && len(st.RWSet().Writes) != 1 {
							err = fmt.Errorf("call %s wrote %+v", key, st.RWSet().Writes)
						}
						if err != nil {
							errs <- err
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if got, max := c.Instances(), c.Config().MaxIdleInstances; mode != engine.Fresh && got > max {
				t.Errorf("%d idle instances kept, MaxIdleInstances %d", got, max)
			}
		})
	}
}

// TestContract_Call_MemoryReset: under Snapshot and Fresh every call starts from the post-_initialize memory, its
// size included; under Pooled the previous call's writes and growth remain.
func TestContract_Call_MemoryReset(t *testing.T) {
	clean := "00000000" + "01000000" + "00000000"
	dirty := "efbeadde" + "02000000" + "efbeadde"
	tests := []struct {
		mode engine.Isolation
		want []string
	}{
		{engine.Snapshot, []string{clean, clean, clean}},
		{engine.Fresh, []string{clean, clean, clean}},
		{engine.Pooled, []string{clean, dirty, dirty}},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			c, err := sharedEngine(t).Load(context.Background(), "dirty", watModule(t, "dirty"), engine.ContractConfig{Isolation: tt.mode, MaxIdleInstances: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(context.Background())
			for i, want := range tt.want {
				if got := fmt.Sprintf("%x", mustCall(t, c, ledger.NewMemory(), "x", "").Output); got != want {
					t.Fatalf("call %d saw %s, want %s", i, got, want)
				}
			}
		})
	}
}
