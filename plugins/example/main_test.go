package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

var (
	alice = sdktest.NewIdentity("Hospital1MSP", "alice", "client", nil)
	bob   = sdktest.NewIdentity("Hospital2MSP", "bob", "client", nil)
	admin = sdktest.NewIdentity("Hospital1MSP", "root", "admin", nil)
	peer  = sdktest.NewIdentity("Hospital1MSP", "peer0", "peer", nil)
	noon  = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func newHarness(t *testing.T) *sdktest.Harness {
	return sdktest.New(t, sdktest.Build(t, "."), sdktest.WithName("example"))
}

func TestExample_add(t *testing.T) {
	h := newHarness(t)
	var n Note
	res := h.Call("add", addArgs{ID: "n1", Text: "bring the chart"}, sdktest.As(alice), sdktest.At(noon))
	res.JSON(t, &n)
	want := Note{ID: "n1", Text: "bring the chart", Author: alice.ID, MSPID: "Hospital1MSP", Created: noon}
	if n != want {
		t.Errorf("add returned %+v, want %+v", n, want)
	}
	var stored Note
	if !h.GetJSON("note/n1", &stored) || stored != want {
		t.Errorf("note/n1 = %+v, want %+v", stored, want)
	}
	if p := res.RequireEvent(t, "NoteAdded"); string(p) != `{"id":"n1"}` {
		t.Errorf("NoteAdded payload = %s", p)
	}
	if got := string(h.Call("count", nil).RequireOK(t).Output); got != "1" {
		t.Errorf("count = %s, want 1", got)
	}
	if len(res.Writes) != 2 || res.Writes[0].Key != "note/n1" || res.Writes[1].Key != "count" {
		t.Errorf("add wrote %+v, want note/n1 then count", res.Writes)
	}
}

func TestExample_add_Errors(t *testing.T) {
	h := newHarness(t)
	h.Call("add", `{"id":"n1","text":"first"}`, sdktest.As(alice)).RequireOK(t)
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   string
		want   string
	}{
		{"duplicate id", bob, `{"id":"n1","text":"again"}`, "already_exists: note n1 exists"},
		{"missing text", alice, `{"id":"n2"}`, "invalid_argument: id and text are required"},
		{"missing id", alice, `{"text":"x"}`, "invalid_argument: id and text are required"},
		{"peer may not add", peer, `{"id":"n3","text":"x"}`, "permission_denied: role peer may not add notes"},
		{"misspelt field", alice, `{"id":"n4","txt":"x"}`, `cannot decode arguments of "add": json: unknown field "txt"`},
		{"not JSON", alice, `id=n5`, `cannot decode arguments of "add": invalid character`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("add", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
			if got := string(h.Call("count", nil).RequireOK(t).Output); got != "1" {
				t.Errorf("count after a refused add = %s, want 1", got)
			}
		})
	}
}

func TestExample_get(t *testing.T) {
	h := newHarness(t)
	h.Call("add", addArgs{ID: "n1", Text: "hi"}, sdktest.As(alice), sdktest.At(noon)).RequireOK(t)
	var n Note
	h.Call("get", idArgs{ID: "n1"}, sdktest.As(bob)).JSON(t, &n)
	if n.Text != "hi" || n.Author != alice.ID {
		t.Errorf("get = %+v", n)
	}
	h.Call("get", idArgs{ID: "nope"}).RequireError(t, "not_found: note nope does not exist")
	h.Put("note/bad", "not json")
	h.Call("get", idArgs{ID: "bad"}).RequireError(t, `internal: state key "note/bad" does not hold the expected JSON`)
}

func TestExample_list(t *testing.T) {
	h := newHarness(t)
	var ids []string
	h.Call("list", nil).JSON(t, &ids)
	if len(ids) != 0 {
		t.Fatalf("list on an empty ledger = %q", ids)
	}
	// 25 notes span three pages of the contract's PageSize(10); "notf" and "count" are outside the prefix.
	var want []string
	for i := range 25 {
		id := string(rune('a'+i/10)) + string(rune('0'+i%10))
		want = append(want, id)
		h.Put("note/"+id, Note{ID: id})
	}
	h.Put("notf", "x")
	h.Call("list", nil).JSON(t, &ids)
	got, _ := json.Marshal(ids)
	if exp, _ := json.Marshal(want); string(got) != string(exp) {
		t.Errorf("list = %s, want %s", got, exp)
	}
}

func TestExample_remove(t *testing.T) {
	h := newHarness(t)
	h.Call("add", addArgs{ID: "n1", Text: "a"}, sdktest.As(alice)).RequireOK(t)
	h.Call("add", addArgs{ID: "n2", Text: "b"}, sdktest.As(alice)).RequireOK(t)

	res := h.Call("remove", idArgs{ID: "n1"}, sdktest.As(alice)).RequireOK(t)
	if _, ok := h.Get("note/n1"); ok {
		t.Error("note/n1 still exists after remove by its author")
	}
	res.RequireEvent(t, "NoteRemoved")
	if len(res.Log) == 0 || res.Log[0].Message != "note n1 removed" {
		t.Errorf("remove log = %+v, want the removal line", res.Log)
	}
	if len(res.Writes) != 1 || !res.Writes[0].Deleted || res.Writes[0].Key != "note/n1" {
		t.Errorf("remove wrote %+v, want one delete of note/n1", res.Writes)
	}
	h.Call("remove", idArgs{ID: "n2"}, sdktest.As(admin)).RequireOK(t)
}

func TestExample_remove_Errors(t *testing.T) {
	h := newHarness(t)
	h.Call("add", addArgs{ID: "n1", Text: "a"}, sdktest.As(alice)).RequireOK(t)
	h.Call("remove", idArgs{ID: "n1"}, sdktest.As(bob)).RequireError(t, "permission_denied: only the author or an admin may remove note n1")
	h.Call("remove", idArgs{ID: "n9"}, sdktest.As(alice)).RequireError(t, "not_found: note n9 does not exist")
	if _, ok := h.Get("note/n1"); !ok {
		t.Error("a refused remove deleted note/n1")
	}
}

func TestExample_unknownFunction(t *testing.T) {
	h := newHarness(t)
	res := h.Call("delete", idArgs{ID: "n1"}).RequireError(t, `unknown function "delete"`)
	if res.Message() != `unknown function "delete"` {
		t.Errorf("message = %q", res.Message())
	}
}
