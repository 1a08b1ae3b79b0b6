package fabricstub_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/medledger/medledger/runtime/ledger"
	"github.com/medledger/medledger/runtime/ledger/fabricstub"
	"github.com/medledger/medledger/runtime/ledger/fabricstub/peertest"
)

// kvCC maps "put K V", "del K", "get K", "putget K V" (put then read back in one transaction) onto State.
func kvCC(stub shim.ChaincodeStubInterface) *pb.Response {
	s := fabricstub.New(stub)
	args := stub.GetStringArgs()
	switch args[0] {
	case "put":
		if err := s.PutState(args[1], []byte(args[2])); err != nil {
			return errResp(err)
		}
	case "del":
		if err := s.DelState(args[1]); err != nil {
			return errResp(err)
		}
	case "get":
		v, err := s.GetState(args[1])
		if err != nil {
			return errResp(err)
		}
		if v == nil {
			return shim.Success([]byte("<nil>"))
		}
		return shim.Success(v)
	case "putget":
		if err := s.PutState(args[1], []byte(args[2])); err != nil {
			return errResp(err)
		}
		v, err := s.GetState(args[1])
		if err != nil {
			return errResp(err)
		}
		return shim.Success([]byte(fmt.Sprintf("%q", v)))
	}
	return shim.Success(nil)
}

func TestState_GetPutDel(t *testing.T) {
	p := startPeer(t, kvCC, peertest.Options{})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"absent key reads nil", []string{"get", "ns/c/a"}, "<nil>"},
		{"put then get", []string{"put", "ns/c/a", "1"}, ""},
		{"committed value", []string{"get", "ns/c/a"}, "1"},
		{"a transaction does not read its own writes (Fabric)", []string{"putget", "ns/c/b", "2"}, `""`},
		{"the write committed", []string{"get", "ns/c/b"}, "2"},
		{"delete", []string{"del", "ns/c/a"}, ""},
		{"deleted key reads nil", []string{"get", "ns/c/a"}, "<nil>"},
		{"deleting an absent key is fine", []string{"del", "ns/c/zz"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := submit(t, p, tt.args...)
			if got := string(res.Response.Payload); got != tt.want {
				t.Errorf("payload = %q, want %q", got, tt.want)
			}
		})
	}
	if got := p.State("ns/c/b"); string(got) != "2" {
		t.Errorf("committed ns/c/b = %q", got)
	}
}

func TestState_GetPutDel_Errors(t *testing.T) {
	p := startPeer(t, kvCC, peertest.Options{})
	res, err := p.Submit(peertest.Proposal{Creator: client, Args: byteArgs("put", "bad\xffkey", "v")})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || !strings.Contains(res.Response.Message, `fabric PutState "bad\xffkey"`) {
		t.Errorf("invalid UTF-8 key: %d %q, want an error naming the call and key", res.Response.Status, res.Response.Message)
	}
	if len(p.Keys("")) != 0 {
		t.Errorf("a failed transaction left state: %v", p.Keys(""))
	}
}

// rangeCC answers "range START END [STOP]" with the keys read (stopping early after STOP entries when given)
// and "page START END SIZE BOOKMARK" with one paginated page as JSON.
func rangeCC(stub shim.ChaincodeStubInterface) *pb.Response {
	s := fabricstub.New(stub)
	args := stub.GetStringArgs()
	switch args[0] {
	case "range":
		it, err := s.GetStateByRange(args[1], args[2])
		if err != nil {
			return errResp(err)
		}
		stop := -1
		if len(args) > 3 {
			fmt.Sscan(args[3], &stop)
		}
		var keys []string
		for it.HasNext() && stop != 0 {
			kv, err := it.Next()
			if err != nil {
				return errResp(err)
			}
			keys = append(keys, kv.Key+"="+string(kv.Value))
			stop--
		}
		if err := it.Close(); err != nil {
			return errResp(err)
		}
		if err := it.Close(); err != nil { // idempotent
			return errResp(err)
		}
		if _, err := it.Next(); err == nil {
			return shim.Error("Next after Close succeeded")
		}
		return shim.Success([]byte(strings.Join(keys, ",")))
	case "page":
		var size int32
		fmt.Sscan(args[3], &size)
		if len(args) > 5 { // write first: Fabric then refuses the paginated query
			if err := s.PutState(args[5], []byte("x")); err != nil {
				return errResp(err)
			}
		}
		page, err := s.GetStateByRangeWithPagination(args[1], args[2], size, args[4])
		if err != nil {
			return errResp(err)
		}
		b, _ := json.Marshal(page)
		return shim.Success(b)
	}
	return shim.Error("unknown")
}

func TestState_GetStateByRange(t *testing.T) {
	p := startPeer(t, rangeCC, peertest.Options{MaxResultLimit: 7})
	var want []string
	for i := range 25 {
		k := fmt.Sprintf("ns/c/k%02d", i)
		p.SetState(k, []byte(fmt.Sprint(i)))
		want = append(want, fmt.Sprintf("%s=%d", k, i))
	}
	p.SetState("ns/d/other", []byte("x"))
	tests := []struct {
		name       string
		args       []string
		want       []string
		exhausted  bool
		rangeReads int
	}{
		{"whole namespace across several result batches", []string{"range", "ns/c/", "ns/c0"}, want, true, 25},
		{"bounded", []string{"range", "ns/c/k03", "ns/c/k06"}, want[3:6], true, 3},
		{"empty range", []string{"range", "ns/c/x", "ns/c/y"}, nil, true, 0},
		{"unbounded end", []string{"range", "ns/c/k24", ""}, []string{want[24], "ns/d/other=x"}, true, 2},
		{"closed early records a partial range", []string{"range", "ns/c/", "ns/c0", "3"}, want[:3], false, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := submit(t, p, tt.args...)
			got := string(res.Response.Payload)
			if got != strings.Join(tt.want, ",") {
				t.Errorf("keys = %s, want %s", got, strings.Join(tt.want, ","))
			}
			rq := res.RWSet.RangeQueries
			if len(rq) != 1 || rq[0].Exhausted != tt.exhausted || len(rq[0].Reads) != tt.rangeReads {
				t.Errorf("range queries in the read set = %+v, want one, exhausted=%v, %d reads", rq, tt.exhausted, tt.rangeReads)
			}
		})
	}
}

func TestState_GetStateByRangeWithPagination(t *testing.T) {
	p := startPeer(t, rangeCC, peertest.Options{})
	for i := range 25 {
		p.SetState(fmt.Sprintf("reg/%02d", i), []byte("v"))
	}
	var all []string
	bookmark := ""
	for pages := 0; ; pages++ {
		res, err := p.Evaluate(peertest.Proposal{Creator: client, Args: byteArgs("page", "reg/", "reg0", "10", bookmark)})
		if err != nil || !res.OK() {
			t.Fatalf("page %d: %v %v", pages, err, res.Response)
		}
		var page fabricstub.Page
		if err := json.Unmarshal(res.Response.Payload, &page); err != nil {
			t.Fatal(err)
		}
		for _, kv := range page.KVs {
			all = append(all, kv.Key)
		}
		if page.Bookmark == "" {
			if pages != 2 {
				t.Errorf("%d pages, want 3", pages+1)
			}
			break
		}
		if len(page.KVs) != 10 {
			t.Errorf("page %d holds %d entries, want 10", pages, len(page.KVs))
		}
		bookmark = page.Bookmark
	}
	if len(all) != 25 || all[0] != "reg/00" || all[24] != "reg/24" {
		t.Errorf("paged keys = %v", all)
	}
}

func TestState_GetStateByRangeWithPagination_Errors(t *testing.T) {
	p := startPeer(t, rangeCC, peertest.Options{})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"page size zero", []string{"page", "a", "b", "0", ""}, "page size 0: must be positive"},
		{"after a write in the same transaction", []string{"page", "a", "b", "5", "", "written"}, "Paginated queries are not supported after writes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := p.Submit(peertest.Proposal{Creator: client, Args: byteArgs(tt.args...)})
			if err != nil {
				t.Fatal(err)
			}
			if res.OK() || !strings.Contains(res.Response.Message, tt.want) {
				t.Errorf("got %d %q, want an error containing %q", res.Response.Status, res.Response.Message, tt.want)
			}
		})
	}
}

// privCC maps "pput C K V", "pget C K", "pdel C K" onto State's private data.
func privCC(stub shim.ChaincodeStubInterface) *pb.Response {
	var s ledger.State = fabricstub.New(stub)
	a := stub.GetStringArgs()
	switch a[0] {
	case "pput":
		if err := s.PutPrivateData(a[1], a[2], []byte(a[3])); err != nil {
			return errResp(err)
		}
	case "pdel":
		if err := s.DelPrivateData(a[1], a[2]); err != nil {
			return errResp(err)
		}
	case "pget":
		v, err := s.GetPrivateData(a[1], a[2])
		if err != nil {
			return errResp(err)
		}
		if v == nil {
			return shim.Success([]byte("<nil>"))
		}
		return shim.Success(v)
	}
	return shim.Success(nil)
}

func TestState_PrivateData(t *testing.T) {
	p := startPeer(t, privCC, peertest.Options{Collections: []string{"trial"}})
	implicit := fabricstub.ImplicitCollection("Hospital1MSP")
	if implicit != "_implicit_org_Hospital1MSP" {
		t.Fatalf("ImplicitCollection = %q", implicit)
	}
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"pget", implicit, "ns/c/p"}, "<nil>"},
		{[]string{"pput", implicit, "ns/c/p", "secret"}, ""},
		{[]string{"pget", implicit, "ns/c/p"}, "secret"},
		{[]string{"pput", "trial", "ns/c/q", "blinded"}, ""},
		{[]string{"pget", "trial", "ns/c/q"}, "blinded"},
		{[]string{"pdel", implicit, "ns/c/p"}, ""},
		{[]string{"pget", implicit, "ns/c/p"}, "<nil>"},
	}
	for _, s := range steps {
		res := submit(t, p, s.args...)
		if got := string(res.Response.Payload); got != s.want {
			t.Errorf("%v = %q, want %q", s.args, got, s.want)
		}
	}
	if got := p.PrivateState("trial", "ns/c/q"); string(got) != "blinded" {
		t.Errorf("committed private value = %q", got)
	}
	if len(p.Keys("")) != 0 {
		t.Errorf("private writes leaked into public state: %v", p.Keys(""))
	}
}

func TestState_PrivateData_Errors(t *testing.T) {
	p := startPeer(t, privCC, peertest.Options{})
	for _, args := range [][]string{{"pput", "nosuch", "k", "v"}, {"pget", "nosuch", "k"}, {"pdel", "nosuch", "k"}} {
		res, err := p.Submit(peertest.Proposal{Creator: client, Args: byteArgs(args...)})
		if err != nil {
			t.Fatal(err)
		}
		if res.OK() || !strings.Contains(res.Response.Message, "nosuch") || !strings.Contains(res.Response.Message, "could not be found") {
			t.Errorf("%v: %d %q, want the peer's unknown-collection error naming it", args, res.Response.Status, res.Response.Message)
		}
	}
}
