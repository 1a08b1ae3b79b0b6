package fabricstub_test

import (
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/medledger/medledger/runtime/ledger/fabricstub/peertest"
)

// funcCC is a chaincode whose Invoke runs the test's function, so each test states what the transaction does.
type funcCC func(stub shim.ChaincodeStubInterface) *pb.Response

func (f funcCC) Init(shim.ChaincodeStubInterface) *pb.Response { return shim.Success(nil) }
func (f funcCC) Invoke(stub shim.ChaincodeStubInterface) *pb.Response {
	return f(stub)
}

// startPeer connects fn as a chaincode to a fresh in-process peer, closed with the test.
func startPeer(t *testing.T, fn funcCC, opts peertest.Options) *peertest.Peer {
	t.Helper()
	p, err := peertest.Start(fn, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

var client = peertest.MustIdentity("Hospital1MSP", "alice", "client", nil)

// submit runs one transaction as client and fails the test unless the chaincode succeeded.
func submit(t *testing.T, p *peertest.Peer, args ...string) peertest.Result {
	t.Helper()
	res, err := p.Submit(peertest.Proposal{Creator: client, Args: byteArgs(args...)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("transaction %v failed: %d %s", args, res.Response.Status, res.Response.Message)
	}
	return res
}

func byteArgs(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

func errResp(err error) *pb.Response { return shim.Error(err.Error()) }
