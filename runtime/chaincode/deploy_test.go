package chaincode_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/medledger/medledger/runtime/chaincode"
	"github.com/medledger/medledger/runtime/ledger/fabricstub/peertest"
)

const govPolicy = "OutOf(2, 'Hospital1MSP.peer', 'Hospital2MSP.peer')"

func keyPolicy(t *testing.T, e *env, key string) string {
	t.Helper()
	ep := e.p.Metadata(key)["VALIDATION_PARAMETER"]
	if ep == nil {
		return ""
	}
	s, err := chaincode.DescribePolicy(ep)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestChaincode_Deploy(t *testing.T) {
	e := defaultEnv(t)
	e.govern(t)
	wasm := module(t, "guest.wasm")
	res := e.submit(t, admin1, args("deploy", `{"name":"notes","version":"1.0.0","limits":{"maxWrites":10}}`), map[string][]byte{chaincode.TransientModule: wasm})
	if !res.OK() {
		t.Fatalf("deploy: %d %s", res.Response.Status, res.Response.Message)
	}
	var en chaincode.Entry
	if err := json.Unmarshal(res.Response.Payload, &en); err != nil {
		t.Fatal(err)
	}
	if en.Name != "notes" || en.Version != "1.0.0" || en.SHA256 != sha(wasm) || en.Size != len(wasm) || en.ABIVersion != 1 ||
		en.Isolation != "snapshot" || en.Limits.MaxWrites != 10 || en.Sequence != 1 || en.Metering == "" ||
		en.DeployedBy.MSPID != "Hospital1MSP" || !strings.HasPrefix(en.DeployedBy.ID, "x509::CN=Admin@hospital1") || en.TxID != res.TxID {
		t.Errorf("entry = %+v", en)
	}
	if res.Event == nil || res.Event.EventName != "ContractDeployed" || string(res.Event.Payload) != string(res.Response.Payload) {
		t.Errorf("event = %v, want ContractDeployed with the entry", res.Event)
	}
	t.Run("module stored once under its sha256", func(t *testing.T) {
		if got := e.p.State("code/" + sha(wasm)); string(got) != string(wasm) {
			t.Errorf("code/%s holds %d bytes, want the module", sha(wasm), len(got))
		}
	})
	t.Run("every registry key carries the governance policy", func(t *testing.T) {
		for _, key := range []string{"registry/contracts/notes", "registry/sequence", "gov/config", "code/" + sha(wasm), "codeinfo/" + sha(wasm),
			"registry/history/notes/00000000000000000001"} {
			if got := keyPolicy(t, e, key); got != govPolicy {
				t.Errorf("%s policy = %q, want %q", key, got, govPolicy)
			}
		}
		written := map[string]bool{}
		for _, w := range res.RWSet.Writes {
			written[w.Key] = true
		}
		if !written["registry/sequence"] {
			t.Errorf("deploy did not write registry/sequence (writes %v): a first deploy would escape the governance policy", res.RWSet.Writes)
		}
	})
	t.Run("get, list, history", func(t *testing.T) {
		got := e.ok(t, client1, args("get", "notes"), nil)
		if string(got) != string(res.Response.Payload) {
			t.Errorf("get = %s", got)
		}
		var page chaincode.ListPage
		if err := json.Unmarshal(e.ok(t, client1, args("list"), nil), &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Contracts) != 1 || page.Contracts[0].Name != "notes" || page.Bookmark != "" {
			t.Errorf("list = %+v", page)
		}
		var hist []chaincode.Entry
		if err := json.Unmarshal(e.ok(t, client1, args("history", "notes"), nil), &hist); err != nil {
			t.Fatal(err)
		}
		if len(hist) != 1 || hist[0].Version != "1.0.0" {
			t.Errorf("history = %+v", hist)
		}
	})
	t.Run("the same code deployed under another name moves no bytes", func(t *testing.T) {
		res := e.submit(t, admin1, args("deploy", `{"name":"notes-copy","version":"1","sha256":"`+sha(wasm)+`"}`), nil)
		if !res.OK() {
			t.Fatalf("deploy by sha256: %d %s", res.Response.Status, res.Response.Message)
		}
		for _, w := range res.RWSet.Writes {
			if strings.HasPrefix(w.Key, "code") {
				t.Errorf("deploy by sha256 rewrote %s", w.Key)
			}
		}
		if got := e.ok(t, client1, args("invoke", "notes-copy", "put", "x"), nil); string(got) != "ok" {
			t.Errorf("invoke notes-copy = %q", got)
		}
	})
}

func TestChaincode_List_Pagination(t *testing.T) {
	e := defaultEnv(t)
	e.govern(t)
	wasm := module(t, "guest.wasm")
	for i := range 7 {
		e.deploy(t, fmt.Sprintf("c%d", i), "1", wasm, nil)
	}
	var names []string
	bookmark := ""
	for range 10 {
		raw := e.ok(t, client1, args("list", fmt.Sprintf(`{"pageSize":3,"bookmark":%q}`, bookmark)), nil)
		var page chaincode.ListPage
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
	if strings.Join(names, ",") != "c0,c1,c2,c3,c4,c5,c6" {
		t.Errorf("paged list = %v", names)
	}
	e.failsWith(t, client1, args("list", `{"pageSize":0}`), nil, 400, "pageSize 0")
	e.failsWith(t, client1, args("list", `{"bookmark":"gov/config"}`), nil, 400, "did not come from list")
	e.failsWith(t, client1, args("list", `{"page":3}`), nil, 400, `unknown field "page"`)
}

func TestChaincode_Deploy_Errors(t *testing.T) {
	e := defaultEnv(t)
	wasm := module(t, "guest.wasm")
	mod := map[string][]byte{chaincode.TransientModule: wasm}
	e.failsWith(t, admin1, args("deploy", `{"name":"a","version":"1"}`), mod, 412, "governance is not configured")
	e.govern(t)
	e.deploy(t, "taken", "1", wasm, nil)
	tests := []struct {
		name      string
		id        peertest.Identity
		args      [][]byte
		transient map[string][]byte
		status    int32
		want      string
	}{
		{"a client may not deploy", client1, args("deploy", `{"name":"a","version":"1"}`), mod, 403, "deploy needs an admin identity: CN=dr-lee,OU=client of Hospital1MSP has role client"},
		{"an admin of a non-member may not deploy", admin3, args("deploy", `{"name":"a","version":"1"}`), mod, 403, "Hospital3MSP is not a member"},
		{"bad name", admin1, args("deploy", `{"name":"Bad_Name","version":"1"}`), mod, 400, "contract name \"Bad_Name\""},
		{"bad version", admin1, args("deploy", `{"name":"a","version":"1 0"}`), mod, 400, `version "1 0"`},
		{"unknown spec field", admin1, args("deploy", `{"name":"a","version":"1","limit":{}}`), mod, 400, `unknown field "limit"`},
		{"unknown isolation", admin1, args("deploy", `{"name":"a","version":"1","isolation":"none"}`), mod, 400, `isolation "none"`},
		{"sha256 does not match the bytes", admin1, args("deploy", `{"name":"a","version":"1","sha256":"`+strings.Repeat("0", 64)+`"}`), mod, 400, "altered in transit"},
		{"no module at all", admin1, args("deploy", `{"name":"a","version":"1"}`), nil, 400, "no module"},
		{"sha256 of code not on the ledger", admin1, args("deploy", `{"name":"a","version":"1","sha256":"`+strings.Repeat("a", 64)+`"}`), nil, 412, "is not on the ledger"},
		{"module sent twice", admin1, [][]byte{[]byte("deploy"), []byte(`{"name":"a","version":"1"}`), wasm}, mod, 400, "send it once"},
		{"not WebAssembly", admin1, args("deploy", `{"name":"a","version":"1"}`), map[string][]byte{"module": []byte("hello")}, 400, "rejected (NotWasm)"},
		{"limits above the host ceilings", admin1, args("deploy", `{"name":"a","version":"1","limits":{"memoryPages":100000}}`), mod, 400, "rejected (Limits)"},
		{"name taken", admin1, args("deploy", `{"name":"taken","version":"2"}`), mod, 409, "already deployed (version 1): use upgrade"},
		{"upgrade of nothing", admin1, args("upgrade", `{"name":"nothing","version":"2"}`), mod, 404, "not deployed: use deploy"},
		{"upgrade to the same version", admin1, args("upgrade", `{"name":"taken","version":"1"}`), mod, 409, "already at version 1"},
		{"missing spec", admin1, args("deploy"), mod, 400, "want arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := len(e.p.Keys(""))
			e.failsWith(t, tt.id, tt.args, tt.transient, tt.status, tt.want)
			if n := len(e.p.Keys("")); n != keys {
				t.Errorf("state changed: %d -> %d keys", keys, n)
			}
		})
	}
}

func TestChaincode_Upgrade(t *testing.T) {
	e := defaultEnv(t)
	e.govern(t)
	v1, v2 := module(t, "guest.wasm"), module(t, "guest_v2.wasm")
	e.deploy(t, "notes", "1", v1, nil)
	e.ok(t, client1, args("invoke", "notes", "put", "kept"), nil)
	res := e.submit(t, admin2, args("upgrade", `{"name":"notes","version":"2","isolation":"fresh"}`), map[string][]byte{chaincode.TransientModule: v2})
	if !res.OK() {
		t.Fatalf("upgrade: %d %s", res.Response.Status, res.Response.Message)
	}
	var en chaincode.Entry
	json.Unmarshal(res.Response.Payload, &en)
	if en.Version != "2" || en.PreviousVersion != "1" || en.SHA256 != sha(v2) || en.Isolation != "fresh" || en.Sequence != 2 || en.DeployedBy.MSPID != "Hospital2MSP" {
		t.Errorf("upgraded entry = %+v", en)
	}
	if res.Event == nil || res.Event.EventName != "ContractUpgraded" {
		t.Errorf("event = %v", res.Event)
	}
	if got := e.ok(t, client1, args("invoke", "notes", "get"), nil); string(got) != "kept" {
		t.Errorf("state after upgrade = %q, want kept", got)
	}
	if got := e.ok(t, client1, args("invoke", "notes", "put", "new"), nil); string(got) != "v2" {
		t.Errorf("upgraded code answers %q, want v2", got)
	}
	var hist []chaincode.Entry
	json.Unmarshal(e.ok(t, client1, args("history", "notes"), nil), &hist)
	if len(hist) != 2 || hist[0].Version != "1" || hist[1].Version != "2" {
		t.Errorf("history = %+v", hist)
	}
	if e.p.State("code/"+sha(v1)) == nil || e.p.State("code/"+sha(v2)) == nil {
		t.Error("both modules should stay stored")
	}
}

func TestChaincode_Governance(t *testing.T) {
	e := defaultEnv(t)
	e.failsWith(t, client1, args("governance"), nil, 404, "governance is not configured")
	e.govern(t)
	e.deploy(t, "notes", "1", module(t, "guest.wasm"), nil)
	var v chaincode.GovernanceView
	json.Unmarshal(e.ok(t, client1, args("governance"), nil), &v)
	if v.KeyPolicy != govPolicy || v.Governance.Required != 2 || v.Governance.Rule != "MAJORITY" || v.Governance.Version != 1 {
		t.Errorf("governance = %+v", v)
	}
	// Three members, MAJORITY = 2 of 3: the new policy is re-applied to the existing contract's entry.
	e.ok(t, admin2, args("setGovernance", `{"members":["Hospital1MSP","Hospital2MSP","Hospital3MSP"]}`), nil)
	want3 := "OutOf(2, 'Hospital1MSP.peer', 'Hospital2MSP.peer', 'Hospital3MSP.peer')"
	for _, key := range []string{"gov/config", "registry/sequence", "registry/contracts/notes"} {
		if got := keyPolicy(t, e, key); got != want3 {
			t.Errorf("%s policy after the change = %q, want %q", key, got, want3)
		}
	}
	tests := []struct {
		name   string
		id     peertest.Identity
		spec   string
		status int32
		want   string
	}{
		{"client", client1, `{"members":["Hospital1MSP"]}`, 403, "needs an admin identity"},
		{"no members", admin1, `{"members":[]}`, 400, "at least one member"},
		{"duplicate member", admin1, `{"members":["Hospital1MSP","Hospital1MSP"]}`, 400, "listed twice"},
		{"bad rule", admin1, `{"members":["Hospital1MSP"],"rule":"MOST"}`, 400, `rule "MOST"`},
		{"rule above the members", admin1, `{"members":["Hospital1MSP"],"rule":"2"}`, 400, "from 1 to 1"},
		{"caller not among the new members", admin1, `{"members":["Hospital2MSP"]}`, 400, "must be one of the members"},
		{"bad MSP ID", admin1, `{"members":["Hospital1MSP","bad id"]}`, 400, `"bad id" is not an MSP ID`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.failsWith(t, tt.id, args("setGovernance", tt.spec), nil, tt.status, tt.want)
		})
	}
	for _, rule := range []struct{ rule, want string }{{"ALL", "OutOf(3"}, {"ANY", "OutOf(1"}, {"3", "OutOf(3"}} {
		e.ok(t, admin1, args("setGovernance", `{"members":["Hospital1MSP","Hospital2MSP","Hospital3MSP"],"rule":"`+rule.rule+`"}`), nil)
		if got := keyPolicy(t, e, "gov/config"); !strings.HasPrefix(got, rule.want) {
			t.Errorf("rule %s: policy %q", rule.rule, got)
		}
	}
}
