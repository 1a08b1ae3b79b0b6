package peertest_test

import (
	"strings"
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/medledger/medledger/runtime/ledger/fabricstub/peertest"
)

// scriptCC: "put K V", "get K", "hist K" (values newest first, joined), "ep K V" (set VALIDATION_PARAMETER).
type scriptCC struct{}

func (scriptCC) Init(shim.ChaincodeStubInterface) *pb.Response { return shim.Success(nil) }
func (scriptCC) Invoke(stub shim.ChaincodeStubInterface) *pb.Response {
	a := stub.GetStringArgs()
	switch a[0] {
	case "put":
		if err := stub.PutState(a[1], []byte(a[2])); err != nil {
			return shim.Error(err.Error())
		}
	case "get":
		v, _ := stub.GetState(a[1])
		return shim.Success(v)
	case "hist":
		it, err := stub.GetHistoryForKey(a[1])
		if err != nil {
			return shim.Error(err.Error())
		}
		defer it.Close()
		var vals []string
		for it.HasNext() {
			m, _ := it.Next()
			vals = append(vals, string(m.Value))
		}
		return shim.Success([]byte(strings.Join(vals, ",")))
	case "ep":
		if err := stub.SetStateValidationParameter(a[1], []byte(a[2])); err != nil {
			return shim.Error(err.Error())
		}
	case "fail":
		return shim.Error("refused")
	}
	return shim.Success(nil)
}

func run(t *testing.T, p *peertest.Peer, submit bool, args ...string) peertest.Result {
	t.Helper()
	prop := peertest.Proposal{Creator: peertest.MustIdentity("Org1MSP", "u", "client", nil)}
	for _, a := range args {
		prop.Args = append(prop.Args, []byte(a))
	}
	var res peertest.Result
	var err error
	if submit {
		res, err = p.Submit(prop)
	} else {
		res, err = p.Evaluate(prop)
	}
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPeer(t *testing.T) {
	p, err := peertest.Start(scriptCC{}, peertest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if res := run(t, p, false, "put", "k", "evaluated"); !res.OK() || res.Committed || p.State("k") != nil {
		t.Errorf("Evaluate committed: %+v", res)
	}
	for _, v := range []string{"v1", "v2", "v3"} {
		if res := run(t, p, true, "put", "k", v); !res.Committed {
			t.Fatalf("Submit did not commit: %+v", res)
		}
	}
	if got := run(t, p, false, "hist", "k").Response.Payload; string(got) != "v3,v2,v1" {
		t.Errorf("history = %s, want newest first", got)
	}
	run(t, p, true, "ep", "k", "policy")
	if got := p.Metadata("k")["VALIDATION_PARAMETER"]; string(got) != "policy" {
		t.Errorf("metadata = %q", got)
	}
	if res := run(t, p, true, "fail"); res.OK() || res.Committed || res.Response.Message != "refused" {
		t.Errorf("a refusal = %+v", res)
	}
	snap := p.Snapshot()
	run(t, p, true, "put", "k", "after snapshot")
	q, err := peertest.Start(scriptCC{}, peertest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	q.Restore(snap)
	if got := q.State("k"); string(got) != "v3" || q.Height() != 4 {
		t.Errorf("restored state %q at height %d", got, q.Height())
	}
	if got := p.State("k"); string(got) != "after snapshot" {
		t.Errorf("the snapshot is not a copy: %q", got)
	}
	res := run(t, q, false, "get", "k")
	if len(res.RWSet.Reads) != 1 || res.RWSet.Reads[0].Version == nil || res.RWSet.Reads[0].Version.Block != 3 {
		t.Errorf("read set = %+v, want k at block 3", res.RWSet.Reads)
	}
}

func TestPeer_Errors(t *testing.T) {
	p, err := peertest.Start(scriptCC{}, peertest.Options{HistoryDisabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if res := run(t, p, false, "hist", "k"); res.OK() || !strings.Contains(res.Response.Message, "history database not enabled") {
		t.Errorf("history on a peer without it = %+v", res.Response)
	}
	p.Close()
	if _, err := p.Submit(peertest.Proposal{Args: [][]byte{[]byte("get")}}); err == nil {
		t.Error("Submit on a closed peer succeeded")
	}
	if _, err := peertest.NewIdentity("", "x", "client", nil); err == nil {
		t.Error("identity without an MSP ID")
	}
}
