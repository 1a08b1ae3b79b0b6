package devnet

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/medledger/medledger/operator/internal/fabricadmin"
	"github.com/medledger/medledger/operator/internal/testenv"
)

// TestDevnet_Up is the real-Fabric end-to-end test: one network of 2 hospitals and 1 orderer, shared by the
// subtests, which run in order.
func TestDevnet_Up(t *testing.T) {
	bin := testenv.FabricBin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "devnet")
	var log bytes.Buffer
	opts := Options{Dir: dir, FabricBin: bin, Builder: selfCommand(t, selfBuilder), Out: &log}
	d, err := Up(ctx, opts)
	t.Cleanup(func() {
		if err := Down(dir, true, nil); err != nil {
			t.Errorf("cleanup Down: %v", err)
		}
		if t.Failed() {
			t.Logf("devnet output:\n%s", log.String())
		}
	})
	if err != nil {
		t.Fatalf("Up: %v", err)
	}
	h1, h2 := d.Hospitals()[0], d.Hospitals()[1]
	p1, p2 := d.Peers(h1)[0], d.Peers(h2)[0]

	t.Run("status shows every node up on the channel", func(t *testing.T) {
		for _, s := range d.Status(ctx) {
			if s.State != StateUp {
				t.Errorf("%s is %s (%s)", s.Name, s.State, s.Detail)
			}
			if !slices.Contains(s.Channels, d.Channel()) || s.Heights[d.Channel()] < 1 {
				t.Errorf("%s: channels %v heights %v, want %s with height >= 1", s.Name, s.Channels, s.Heights, d.Channel())
			}
		}
	})

	t.Run("joins are idempotent", func(t *testing.T) {
		raw, err := os.ReadFile(d.st.Genesis)
		if err != nil {
			t.Fatal(err)
		}
		block := mustBlock(t, raw)
		ord, _ := d.st.node(d.Orderers()[0])
		oa, err := d.ordererAdmin(ord)
		if err != nil {
			t.Fatal(err)
		}
		if err := oa.Join(ctx, block); err != nil {
			t.Errorf("orderer re-join: %v", err)
		}
		peer, conn, err := d.AdminPeer(p1)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if err := peer.JoinChannel(ctx, block); err != nil {
			t.Errorf("peer re-join: %v", err)
		}
		n, _ := d.st.node(p1)
		oconn, err := d.dialNode(ord)
		if err != nil {
			t.Fatal(err)
		}
		defer oconn.Close()
		if err := peer.SetAnchorPeers(ctx, oconn, d.Channel(), []string{n.Address}); err != nil {
			t.Errorf("anchor peers again: %v", err)
		}
		if err := fabricadmin.Health(ctx, nil, "http://"+n.Operations); err != nil {
			t.Errorf("peer health: %v", err)
		}
	})

	var cc Chaincode
	t.Run("deploy the test chaincode as a supervised ccaas server", func(t *testing.T) {
		spec := ChaincodeSpec{Name: "kv", Command: selfCommand(t, selfTestCC)}
		if cc, err = d.DeployChaincode(ctx, spec); err != nil {
			t.Fatalf("DeployChaincode: %v", err)
		}
		again, err := d.DeployChaincode(ctx, spec)
		if err != nil || !reflect.DeepEqual(again, cc) {
			t.Fatalf("second DeployChaincode = %+v, %v; want %+v (idempotent)", again, err, cc)
		}
		for _, msp := range d.Hospitals() {
			peer, conn, err := d.AdminPeer(d.Peers(msp)[0])
			if err != nil {
				t.Fatal(err)
			}
			committed, err := peer.Committed(ctx, d.Channel(), "kv")
			conn.Close()
			if err != nil || committed.Sequence != 1 || !committed.Approvals[h1] || !committed.Approvals[h2] {
				t.Errorf("%s sees kv as %+v, %v; want sequence 1 approved by both", msp, committed, err)
			}
		}
	})

	var written fabricadmin.CommittedTx
	t.Run("a transaction endorsed by both hospitals commits and reads back on the other peer", func(t *testing.T) {
		gw, conn, err := d.Gateway(p1)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		defer gw.Close()
		written, err = gw.Submit(ctx, fabricadmin.Tx{Channel: d.Channel(), Chaincode: "kv", Function: "put", Args: args("patient-42", "consent=granted"), Orgs: []string{h1, h2}})
		if err != nil {
			t.Fatalf("Submit: %v", err)
		}
		waitHeight(t, ctx, d, p2, written.BlockNumber+1)
		got := evaluate(t, ctx, d, p2, h2, "get", "patient-42")
		if string(got) != "consent=granted" {
			t.Errorf("get on %s = %q, want consent=granted", p2, got)
		}
	})

	t.Run("a transaction endorsed by one hospital fails with ENDORSEMENT_POLICY_FAILURE", func(t *testing.T) {
		gw, conn, err := d.Gateway(p1)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		defer gw.Close()
		res, err := gw.Submit(ctx, fabricadmin.Tx{Channel: d.Channel(), Chaincode: "kv", Function: "put", Args: args("patient-42", "consent=revoked"), Orgs: []string{h1}})
		code, ok := fabricadmin.ValidationCode(err)
		if !ok || code != peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE {
			t.Fatalf("Submit endorsed by %s only = %v; want ENDORSEMENT_POLICY_FAILURE", h1, err)
		}
		waitHeight(t, ctx, d, p2, res.BlockNumber+1)
		if got := evaluate(t, ctx, d, p2, h2, "get", "patient-42"); string(got) != "consent=granted" {
			t.Errorf("the invalid transaction changed the value to %q", got)
		}
	})

	t.Run("chaincode errors and events reach the client", func(t *testing.T) {
		gw, conn, err := d.Gateway(p2)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		defer gw.Close()
		if _, err := gw.Evaluate(ctx, fabricadmin.Tx{Channel: d.Channel(), Chaincode: "kv", Function: "get", Args: args("nobody")}); err == nil || !strings.Contains(err.Error(), `key "nobody" not found`) {
			t.Errorf("get of a missing key = %v, want the chaincode's not-found message", err)
		}
		ectx, ecancel := context.WithTimeout(ctx, 20*time.Second)
		defer ecancel()
		events, err := gw.ChaincodeEvents(ectx, d.Channel(), "kv", written.BlockNumber)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-events:
			if ev == nil || ev.EventName != "put" || string(ev.Payload) != "patient-42" || ev.TransactionID != written.TransactionID {
				t.Errorf("event = %+v, want put(patient-42) from %s", ev, written.TransactionID)
			}
		case <-ectx.Done():
			t.Error("no chaincode event")
		}
	})

	t.Run("a crashed peer is reported, and up restarts it with its ledger intact", func(t *testing.T) {
		n, _ := d.st.node(p2)
		pid, running, err := alive(n.pidFile())
		if err != nil || !running {
			t.Fatalf("peer %s not running: %v", p2, err)
		}
		before := heightOf(t, ctx, d, p2)
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		waitState(t, ctx, d, p2, StateCrashed)
		if _, err := Up(ctx, opts); err != nil {
			t.Fatalf("Up after crash: %v", err)
		}
		if !strings.Contains(log.String(), p2+" was DOWN") {
			t.Errorf("Up did not report the crashed peer; output:\n%s", log.String())
		}
		if after := heightOf(t, ctx, d, p2); after < before {
			t.Errorf("height after restart %d < before %d: ledger lost", after, before)
		}
		if got := evaluate(t, ctx, d, p2, h2, "get", "patient-42"); string(got) != "consent=granted" {
			t.Errorf("after restart get = %q", got)
		}
	})

	t.Run("logs show a node's output", func(t *testing.T) {
		var out bytes.Buffer
		if err := d.Logs(ctx, "peer0.hospital1", 20, false, &out); err != nil {
			t.Fatal(err)
		}
		if out.Len() == 0 || strings.Count(out.String(), "\n") > 21 {
			t.Errorf("logs = %d bytes, %d lines; want up to 20 lines", out.Len(), strings.Count(out.String(), "\n"))
		}
		if err := d.Logs(ctx, "peer", 1, false, &out); err == nil || !strings.Contains(err.Error(), "several") {
			t.Errorf("ambiguous node name: %v", err)
		}
	})

	t.Run("up with another topology is refused", func(t *testing.T) {
		o := opts
		o.Topology = Topology{Hospitals: 3, PeersPerHospital: 1, Orderers: 1}
		if _, err := Up(ctx, o); err == nil || !strings.Contains(err.Error(), "down --purge") {
			t.Errorf("Up with 3 hospitals over a 2-hospital devnet = %v", err)
		}
	})

	t.Run("down stops every process and keeps the data", func(t *testing.T) {
		var pids []int
		for _, n := range d.st.Nodes {
			if pid, running, _ := alive(n.pidFile()); running {
				pids = append(pids, pid)
			}
		}
		if len(pids) != 4 { // orderer, two peers, chaincode server
			t.Fatalf("running before down: %v, want 4 processes", pids)
		}
		if err := Down(dir, false, nil); err != nil {
			t.Fatalf("Down: %v", err)
		}
		for _, pid := range pids {
			if st, _, err := procStat(pid); err == nil && st != 'Z' {
				t.Errorf("pid %d still runs (state %c) after Down", pid, st)
			}
		}
		for _, u := range d.st.Ports {
			if l, err := net.Listen("tcp", addr(u.Port)); err != nil {
				t.Errorf("port %d (%s %s) still held after Down", u.Port, u.Node, u.Purpose)
			} else {
				l.Close()
			}
		}
		if !fileExists(d.st.Genesis) {
			t.Error("Down without purge deleted the data")
		}
	})

	t.Run("restart with a recorded port taken names the collision", func(t *testing.T) {
		u := d.st.Ports[0]
		l, err := net.Listen("tcp", addr(u.Port))
		if err != nil {
			t.Fatalf("cannot occupy port %d: %v", u.Port, err)
		}
		defer l.Close()
		_, err = Up(ctx, opts)
		want := fmt.Sprintf("127.0.0.1:%d (%s %s)", u.Port, u.Node, u.Purpose)
		if err == nil || !strings.Contains(err.Error(), "port collision") || !strings.Contains(err.Error(), want) {
			t.Fatalf("Up with port %d taken = %v; want a collision naming %s", u.Port, err, want)
		}
		for _, n := range d.st.Nodes {
			if _, running, _ := alive(n.pidFile()); running {
				t.Errorf("%s was started despite the collision", n.Name)
			}
		}
	})
}

func args(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

func evaluate(t *testing.T, ctx context.Context, d *Devnet, peerName, org, fn string, a ...string) []byte {
	t.Helper()
	gw, conn, err := d.Gateway(peerName)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	defer gw.Close()
	got, err := gw.Evaluate(ctx, fabricadmin.Tx{Channel: d.Channel(), Chaincode: "kv", Function: fn, Args: args(a...), Orgs: []string{org}})
	if err != nil {
		t.Fatalf("Evaluate %s on %s: %v", fn, peerName, err)
	}
	return got
}

func heightOf(t *testing.T, ctx context.Context, d *Devnet, peerName string) uint64 {
	t.Helper()
	p, conn, err := d.AdminPeer(peerName)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	h, err := p.Height(ctx, d.Channel())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// waitHeight waits until peerName has committed block height-1: the Gateway returns once its own peer
// committed, the other org's peer may take a moment longer.
func waitHeight(t *testing.T, ctx context.Context, d *Devnet, peerName string, height uint64) {
	t.Helper()
	for heightOf(t, ctx, d, peerName) < height {
		select {
		case <-ctx.Done():
			t.Fatalf("%s did not reach height %d", peerName, height)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func waitState(t *testing.T, ctx context.Context, d *Devnet, node, want string) {
	t.Helper()
	for {
		for _, s := range d.Status(ctx) {
			if s.Name == node && s.State == want {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never became %s", node, want)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
