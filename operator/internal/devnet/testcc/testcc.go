// Package testcc is the devnet's tiny chaincode: a key-value store served as chaincode-as-a-service with the
// real Fabric shim. It proves a network end to end (install, endorse by several orgs, commit, read back) and is
// the native baseline the WebAssembly runtime is measured against.
//
// Transactions:
//
//	put KEY VALUE   writes VALUE under KEY and emits event "put" with KEY as payload
//	get KEY         returns the value, or fails with "key KEY not found"
package testcc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// Chaincode implements shim.Chaincode.
type Chaincode struct{}

// Init does nothing: the chaincode is deployed without InitRequired.
func (Chaincode) Init(shim.ChaincodeStubInterface) *peer.Response { return shim.Success(nil) }

// Invoke dispatches put and get; anything else is an error response naming the function.
func (Chaincode) Invoke(stub shim.ChaincodeStubInterface) *peer.Response {
	fn, args := stub.GetFunctionAndParameters()
	switch fn {
	case "put":
		if len(args) != 2 {
			return shim.Error(fmt.Sprintf("put wants 2 arguments (key, value), got %d", len(args)))
		}
		if err := stub.PutState(args[0], []byte(args[1])); err != nil {
			return shim.Error(err.Error())
		}
		if err := stub.SetEvent("put", []byte(args[0])); err != nil {
			return shim.Error(err.Error())
		}
		return shim.Success(nil)
	case "get":
		if len(args) != 1 {
			return shim.Error(fmt.Sprintf("get wants 1 argument (key), got %d", len(args)))
		}
		v, err := stub.GetState(args[0])
		if err != nil {
			return shim.Error(err.Error())
		}
		if v == nil {
			return shim.Error(fmt.Sprintf("key %q not found", args[0]))
		}
		return shim.Success(v)
	default:
		return shim.Error(fmt.Sprintf("unknown function %q (want put or get)", fn))
	}
}

// Serve runs the chaincode server on lis until ctx is done. ccid must be the package ID the peers installed:
// the peer only accepts a chaincode that registers under that name. Serve closes lis.
//
// # Errors
//   - ccid is empty;
//   - serving fails for a reason other than ctx ending.
func Serve(ctx context.Context, lis net.Listener, ccid string) error {
	if ccid == "" {
		lis.Close()
		return errors.New("testcc: chaincode ID (package ID) is empty")
	}
	srv := grpc.NewServer(
		// Peers ping every 60s by default; a stricter server would cut them off with "too_many_pings".
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Minute, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: time.Minute, Timeout: 20 * time.Second}),
	)
	// shim.ChaincodeServer is the shim's own service implementation; registering it on our server (rather than
	// calling its Start) is what lets the server stop with ctx.
	peer.RegisterChaincodeServer(srv, &shim.ChaincodeServer{CCID: ccid, CC: Chaincode{}})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	select {
	case <-ctx.Done():
		srv.Stop()
		<-done
		return nil
	case err := <-done:
		return fmt.Errorf("testcc: serve %s: %w", lis.Addr(), err)
	}
}

// ListenAndServe listens on address (host:port) and calls Serve.
//
// # Errors
//   - the address cannot be listened on (in use, malformed);
//   - any error of Serve.
func ListenAndServe(ctx context.Context, address, ccid string) error {
	lis, err := net.Listen("tcp", address)
	if err != nil {
		return fmt.Errorf("testcc: %w", err)
	}
	return Serve(ctx, lis, ccid)
}
