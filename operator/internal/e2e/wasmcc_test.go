package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/medledger/medledger/operator/internal/devnet"
	"github.com/medledger/medledger/operator/internal/fabricadmin"
)

type note struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	MSPID string `json:"mspId"`
}

// TestWasmcc_Fabric runs the runtime's promises on real Fabric, in order, on the shared network.
func TestWasmcc_Fabric(t *testing.T) {
	d := network(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	h1, h2 := d.Hospitals()[0], d.Hospitals()[1]
	drAda, err := d.User(h1, "dr-ada", "client", map[string]string{"role": "clinician"})
	if err != nil {
		t.Fatal(err)
	}
	drBob, err := d.User(h2, "dr-bob", "client", map[string]string{"role": "clinician"})
	if err != nil {
		t.Fatal(err)
	}
	getNote := func(t *testing.T, as *fabricadmin.Identity, id string) note {
		t.Helper()
		res, err := d.Invoke(ctx, devnet.Call{Contract: "notes", Function: "get", Args: []byte(`{"id":"` + id + `"}`), As: as, Query: true})
		if err != nil {
			t.Fatalf("get %s as %s: %v", id, as.MSPID(), err)
		}
		var n note
		if err := json.Unmarshal(res.Result, &n); err != nil {
			t.Fatalf("get %s: %s", id, res.Result)
		}
		return n
	}

	t.Run("deploy, invoke from hospital 1, query from hospital 2", func(t *testing.T) {
		e, err := d.DeployContract(ctx, devnet.ContractSpec{Name: "notes", Version: "1.0.0", Wasm: plugin(t, "example")})
		if err != nil {
			t.Fatalf("deploy: %v", err)
		}
		if e.Version != "1.0.0" || e.DeployedBy.MSPID != h1 || e.Sequence == 0 {
			t.Errorf("entry = %+v", e)
		}
		res, err := d.Invoke(ctx, devnet.Call{Contract: "notes", Function: "add", Args: []byte(`{"id":"n1","text":"hello from hospital 1"}`), As: drAda, Orgs: []string{h1, h2}})
		if err != nil {
			t.Fatalf("invoke: %v", err)
		}
		if res.Block == 0 || len(res.Events) != 1 || res.Events[0] != "NoteAdded" {
			t.Errorf("receipt = %+v", res)
		}
		if n := getNote(t, drBob, "n1"); n.Text != "hello from hospital 1" || n.MSPID != h1 {
			t.Errorf("hospital 2 reads %+v", n)
		}
		if n := getNote(t, drAda, "n1"); n.Text != "hello from hospital 1" {
			t.Errorf("hospital 1 reads %+v", n)
		}
	})

	t.Run("upgrade to a new version keeps state", func(t *testing.T) {
		e, err := d.DeployContract(ctx, devnet.ContractSpec{Name: "notes", Version: "2.0.0", Wasm: testContract(t, "notesv2"), As: mustAdmin(t, d, h2)})
		if err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		if e.Version != "2.0.0" || e.PreviousVersion != "1.0.0" || e.DeployedBy.MSPID != h2 {
			t.Errorf("entry = %+v", e)
		}
		if n := getNote(t, drBob, "n1"); n.Text != "hello from hospital 1" {
			t.Errorf("after upgrade hospital 2 reads %+v", n)
		}
		res, err := d.Invoke(ctx, devnet.Call{Contract: "notes", Function: "version", As: drAda, Query: true})
		if err != nil || string(res.Result) != `"2"` {
			t.Errorf("version = %s, %v; want the new code", res.Result, err)
		}
	})

	t.Run("a deploy endorsed by one hospital alone does not commit", func(t *testing.T) {
		_, err := d.DeployContract(ctx, devnet.ContractSpec{Name: "solo", Version: "1", Wasm: guestWasm(t), Orgs: []string{h1}})
		code, ok := fabricadmin.ValidationCode(err)
		if !ok || code != pb.TxValidationCode_ENDORSEMENT_POLICY_FAILURE {
			t.Fatalf("deploy endorsed by %s only = %v; want ENDORSEMENT_POLICY_FAILURE", h1, err)
		}
		if _, err := d.Contract(ctx, "", "solo"); err == nil || !strings.Contains(err.Error(), "is not deployed") {
			t.Errorf("solo after the failed deploy: %v", err)
		}
	})

	t.Run("a deploy by a non-admin is refused", func(t *testing.T) {
		_, err := d.DeployContract(ctx, devnet.ContractSpec{Name: "sneaky", Version: "1", Wasm: guestWasm(t), As: drAda})
		if err == nil || !strings.Contains(err.Error(), "deploy needs an admin identity") {
			t.Fatalf("deploy by a client = %v", err)
		}
	})

	t.Run("governance is enforced by key-level endorsement policies", func(t *testing.T) {
		// A second runtime whose own endorsement policy lets any one hospital endorse: contract calls commit
		// with one endorsement, registry changes still need the governance MAJORITY.
		const open = "wasmcc-open"
		if _, err := d.DeployWasmcc(ctx, devnet.WasmccOptions{Name: open, Command: []string{wasmccBin},
			Policy: fmt.Sprintf("OR('%s.peer','%s.peer')", h1, h2)}); err != nil {
			t.Fatalf("deploy %s: %v", open, err)
		}
		if _, err := d.DeployContract(ctx, devnet.ContractSpec{Chaincode: open, Name: "guest", Version: "1", Wasm: guestWasm(t)}); err != nil {
			t.Fatalf("deploy endorsed by both: %v", err)
		}
		if _, err := d.Invoke(ctx, devnet.Call{Chaincode: open, Contract: "guest", Function: "put", Args: []byte("one endorsement"), As: drAda, Orgs: []string{h1}}); err != nil {
			t.Errorf("a contract call endorsed by %s alone should commit under OR: %v", h1, err)
		}
		_, err := d.DeployContract(ctx, devnet.ContractSpec{Chaincode: open, Name: "guest", Version: "2", Wasm: guestWasm(t), Orgs: []string{h1}})
		if code, ok := fabricadmin.ValidationCode(err); !ok || code != pb.TxValidationCode_ENDORSEMENT_POLICY_FAILURE {
			t.Errorf("upgrade endorsed by %s alone = %v; want ENDORSEMENT_POLICY_FAILURE", h1, err)
		}
		_, err = d.DeployContract(ctx, devnet.ContractSpec{Chaincode: open, Name: "fresh-name", Version: "1", Wasm: guestWasm(t), Orgs: []string{h2}})
		if code, ok := fabricadmin.ValidationCode(err); !ok || code != pb.TxValidationCode_ENDORSEMENT_POLICY_FAILURE {
			t.Errorf("a first deploy endorsed by %s alone = %v; want ENDORSEMENT_POLICY_FAILURE", h2, err)
		}
		for _, s := range []string{"chaincode." + open + ".hospital1", "chaincode." + open + ".hospital2"} {
			if err := d.StopNode(s); err != nil { // free the machine for what follows
				t.Error(err)
			}
		}
	})

	t.Run("the demo tells its story on the network", func(t *testing.T) {
		var out bytes.Buffer
		if err := devnet.RunDemo(ctx, d, devnet.DemoOptions{Wasmcc: wasmccBin, PluginsDir: healthPlugins(t), Out: &out}); err != nil {
			t.Fatalf("demo: %v\n%s", err, out.String())
		}
		for _, want := range []string{"TREAT: PERMIT", "(HRESCH): DENY", "COUNTERFEIT CAUGHT", "dispense_twice", "the member owes"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("demo output lacks %q", want)
			}
		}
		t.Log("\n" + out.String())
	})

	t.Run("the same calls endorsed by both hospitals commit VALID: randomized health-contract calls", func(t *testing.T) {
		if _, err := d.Contract(ctx, "", "healthplan"); err != nil { // run alone: the demo sets the contracts up
			if err := devnet.RunDemo(ctx, d, devnet.DemoOptions{Wasmcc: wasmccBin, PluginsDir: healthPlugins(t)}); err != nil {
				t.Fatal(err)
			}
		}
		determinism(t, ctx, d, 200)
	})

	t.Run("the registry lists in pages (Fabric's paginated range queries)", func(t *testing.T) {
		all, err := d.Contracts(ctx, "")
		if err != nil || len(all) < 4 {
			t.Fatalf("Contracts = %d entries, %v", len(all), err)
		}
		gw, conn, err := d.Gateway(d.Peers(h2)[0])
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		defer gw.Close()
		var names []string
		bookmark := ""
		for pages := 0; pages < 10; pages++ {
			opts, _ := json.Marshal(map[string]any{"pageSize": 2, "bookmark": bookmark})
			raw, err := gw.Evaluate(ctx, fabricadmin.Tx{Channel: d.Channel(), Chaincode: devnet.WasmccName, Function: "list", Args: [][]byte{opts}, Orgs: []string{h2}})
			if err != nil {
				t.Fatal(err)
			}
			var page struct {
				Contracts []struct{ Name string }
				Bookmark  string
			}
			if err := json.Unmarshal(raw, &page); err != nil {
				t.Fatal(err)
			}
			for _, c := range page.Contracts {
				names = append(names, c.Name)
			}
			if bookmark = page.Bookmark; bookmark == "" {
				break
			}
		}
		var want []string
		for _, e := range all {
			want = append(want, e.Name)
		}
		if fmt.Sprint(names) != fmt.Sprint(want) {
			t.Errorf("paged list %v, want %v", names, want)
		}
	})

	t.Run("hostile contracts fail with limit errors while others keep serving", func(t *testing.T) {
		if _, err := d.DeployContract(ctx, devnet.ContractSpec{Name: "hostile", Version: "1", Wasm: testContract(t, "hostile")}); err != nil {
			t.Fatalf("deploy hostile: %v", err)
		}
		pids := serverPIDs(d, devnet.WasmccName)
		var wg sync.WaitGroup
		var spinErr, bombErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, spinErr = d.Invoke(ctx, devnet.Call{Contract: "hostile", Function: "spin", As: drAda})
		}()
		go func() {
			defer wg.Done()
			_, bombErr = d.Invoke(ctx, devnet.Call{Contract: "hostile", Function: "bomb", As: drAda})
		}()
		// While both run, other contracts answer.
		for i := range 3 {
			if n := getNote(t, drBob, "n1"); n.Text == "" {
				t.Errorf("notes did not answer during the attack (%d)", i)
			}
		}
		wg.Wait()
		if spinErr == nil || !strings.Contains(spinErr.Error(), "out-of-gas") {
			t.Errorf("spin = %v; want an out-of-gas trap", spinErr)
		}
		if bombErr == nil || !strings.Contains(bombErr.Error(), "out of memory") {
			t.Errorf("bomb = %v; want an out-of-memory trap", bombErr)
		}
		res, err := d.Invoke(ctx, devnet.Call{Contract: "hostile", Function: "echo", Args: []byte(`"still fine"`), As: drAda})
		if err != nil || string(res.Result) != `"still fine"` {
			t.Errorf("echo after the attack = %s, %v", res.Result, err)
		}
		if after := serverPIDs(d, devnet.WasmccName); fmt.Sprint(after) != fmt.Sprint(pids) {
			t.Errorf("wasmcc servers restarted (pids %v -> %v): the server must survive hostile contracts", pids, after)
		}
		m := metrics(t, d, "chaincode.wasmcc.hospital1")
		for _, want := range []string{`medledger_contract_calls_total{contract="hostile",outcome="out-of-gas"}`, `medledger_contract_calls_total{contract="hostile",outcome="panic"}`} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})

	t.Run("restarted wasmcc serves contracts from the ledger-stored bytes", func(t *testing.T) {
		for _, h := range []string{"hospital1", "hospital2"} {
			if err := d.StopNode("chaincode.wasmcc." + h); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.StartChaincodeServers(ctx); err != nil {
			t.Fatal(err)
		}
		if n := getNote(t, drBob, "n1"); n.Text != "hello from hospital 1" {
			t.Errorf("after restart hospital 2 reads %+v", n)
		}
		if _, err := d.Invoke(ctx, devnet.Call{Contract: "notes", Function: "version", As: drAda, Orgs: []string{h1, h2}}); err != nil {
			t.Errorf("submit after restart (both hospitals load from the ledger): %v", err)
		}
		for _, h := range []string{"hospital1", "hospital2"} {
			if m := metrics(t, d, "chaincode.wasmcc."+h); !strings.Contains(m, `wasmcc_contract_loads_total{outcome="ok",source="ledger"}`) {
				t.Errorf("%s: no contract loaded from the ledger after restart", h)
			}
		}
	})

	t.Run("tampered module bytes on a peer's ledger are detected", func(t *testing.T) {
		e, err := d.Contract(ctx, "", "notes")
		if err != nil {
			t.Fatal(err)
		}
		wasm := testContract(t, "notesv2")
		peer := d.Peers(h1)[0]
		blocks, err := filepath.Glob(filepath.Join(d.NodeDir(peer), "data", "ledgersData", "chains", "chains", d.Channel(), "blockfile_*"))
		if err != nil || len(blocks) == 0 {
			t.Fatalf("block files of %s: %v %v", peer, blocks, err)
		}
		for _, n := range []string{peer, "chaincode.wasmcc.hospital1"} {
			if err := d.StopNode(n); err != nil {
				t.Fatal(err)
			}
		}
		restore := tamper(t, blocks, wasm)
		if _, err := devnet.Up(ctx, shared.opts); err != nil {
			t.Fatalf("restart: %v", err)
		}
		_, err = d.Invoke(ctx, devnet.Call{Contract: "notes", Function: "version", As: drAda, Query: true})
		if err == nil || !strings.Contains(err.Error(), "code integrity check failed") || !strings.Contains(err.Error(), e.SHA256) {
			t.Errorf("query on the tampered peer = %v; want the integrity failure naming %s", err, e.SHA256)
		}
		if m := metrics(t, d, "chaincode.wasmcc.hospital1"); !strings.Contains(m, "wasmcc_code_integrity_failures_total 1") {
			t.Errorf("integrity failures not counted")
		}
		if _, err := d.Invoke(ctx, devnet.Call{Contract: "notes", Function: "version", As: drBob, Query: true}); err != nil {
			t.Errorf("the untampered peer must keep serving: %v", err)
		}
		restore()
		if _, err := d.Invoke(ctx, devnet.Call{Contract: "notes", Function: "version", As: drAda, Query: true}); err != nil {
			t.Errorf("after repairing the block file: %v", err)
		}
	})
}

func mustAdmin(t *testing.T, d *devnet.Devnet, msp string) *fabricadmin.Identity {
	t.Helper()
	id, err := d.Identity(msp, true)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func serverPIDs(d *devnet.Devnet, cc string) []int {
	var out []int
	for _, h := range []string{"hospital1", "hospital2"} {
		out = append(out, d.ChaincodeServerPID("chaincode."+cc+"."+h))
	}
	return out
}

// metrics returns a chaincode server's /metrics text.
func metrics(t *testing.T, d *devnet.Devnet, node string) string {
	t.Helper()
	addr := d.NodeMetrics(node)
	if addr == "" {
		t.Fatalf("%s has no metrics address", node)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// tamper flips one byte in the middle of every copy of wasm in the files and returns a function that undoes it.
func tamper(t *testing.T, files []string, wasm []byte) (restore func()) {
	t.Helper()
	var undo []func()
	found := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		orig := append([]byte(nil), raw...)
		for off := 0; ; {
			i := bytes.Index(raw[off:], wasm)
			if i < 0 {
				break
			}
			raw[off+i+len(wasm)/2] ^= 0xff
			off += i + len(wasm)
			found++
		}
		if !bytes.Equal(raw, orig) {
			if err := os.WriteFile(f, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			undo = append(undo, func() {
				if err := os.WriteFile(f, orig, 0o644); err != nil {
					t.Error(err)
				}
			})
		}
	}
	if found == 0 {
		t.Fatal(errors.New("the module's bytes are in no block file"))
	}
	return func() {
		for _, u := range undo {
			u()
		}
	}
}
