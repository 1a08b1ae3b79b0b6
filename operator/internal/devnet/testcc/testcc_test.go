package testcc

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// TestServe checks that the server speaks the chaincode gRPC service (a peer can open Connect streams) and
// stops when its context ends. The put/get logic runs against real peers in the devnet e2e test.
func TestServe(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, lis, "kv:abc") }()

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	stream, err := peer.NewChaincodeClient(conn).Connect(sctx)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	// The shim's first message on a new stream is REGISTER with its chaincode ID.
	msg, err := stream.Recv()
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	if msg.Type != peer.ChaincodeMessage_REGISTER {
		t.Errorf("first message = %v, want REGISTER", msg.Type)
	}
	if !strings.Contains(string(msg.Payload), "kv:abc") {
		t.Errorf("REGISTER payload %q does not name the chaincode ID", msg.Payload)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after cancel = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}

func TestServe_Errors(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := Serve(context.Background(), lis, ""); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("Serve with empty ccid = %v, want an error naming the empty ID", err)
	}
	// The listener must be closed so its port is free again.
	if _, err := net.Listen("tcp", lis.Addr().String()); err != nil {
		t.Errorf("listener still open after failed Serve: %v", err)
	}
}

func TestListenAndServe_Errors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := map[string]string{"port in use": busy.Addr().String(), "malformed": "127.0.0.1"}
	for name, addr := range tests {
		t.Run(name, func(t *testing.T) {
			if err := ListenAndServe(context.Background(), addr, "kv:1"); err == nil {
				t.Fatalf("ListenAndServe(%q) = nil, want an error", addr)
			}
		})
	}
}
