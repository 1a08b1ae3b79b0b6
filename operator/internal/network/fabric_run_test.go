package network

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/medledger/medledger/operator/internal/network/channel"
	"github.com/medledger/medledger/operator/internal/network/nodeconfig"
)

// TestConsortium_Artifacts_RunOnFabric runs the artifacts on real Fabric v3.1.1 processes on
// loopback. The orderer starts from the environment form over a decoy orderer.yaml whose
// ports and paths would fail, and joins the channel from our genesis block through
// osnadmin (mutual TLS with the orderer Admin's client certificate). peer0 starts from the
// rendered core.yaml, peer1 from the environment form over a decoy core.yaml; the
// hospital's Admin (NodeOU admin) joins both, and both report height 1.
func TestConsortium_Artifacts_RunOnFabric(t *testing.T) {
	ordererBin, peerBin, osnadmin := fabricBinary(t, "orderer"), fabricBinary(t, "peer"), fabricBinary(t, "osnadmin")
	dir := t.TempDir()
	c := Consortium{
		ChannelID: "carechannel",
		Orderer:   OrdererOrg{Nodes: 1},
		Hospitals: []Hospital{{Name: "hospital1", MSPID: "Hospital1MSP", Peers: 2}},
	}
	cr, err := GenerateCrypto(c, CryptoOptions{AllNodes: SANs{DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}})
	if err != nil {
		t.Fatal(err)
	}
	files, err := cr.Files()
	if err != nil {
		t.Fatal(err)
	}
	cryptoDir := filepath.Join(dir, "crypto")
	if err := files.WriteDir(cryptoDir); err != nil {
		t.Fatal(err)
	}
	orgs, _ := c.Orgs()
	ordOrg, hosp := orgs[0], orgs[1]
	ord := ordOrg.Nodes[0]
	ports := freePorts(t, 9)
	loop := func(p int) string { return fmt.Sprintf("127.0.0.1:%d", p) }
	ordPort, adminPort, ordOpsPort := ports[0], ports[1], ports[2]
	// Peer i listens on ports[3+3i] (gRPC), ports[4+3i] (chaincode), ports[5+3i] (operations).
	peerPort := func(i int) int { return ports[3+3*i] }

	eps := Endpoints{ord.Host: channel.Address{Host: "127.0.0.1", Port: ordPort}}
	for i, n := range hosp.Nodes {
		eps[n.Host] = channel.Address{Host: "127.0.0.1", Port: peerPort(i)}
	}
	block, err := c.GenesisBlock(cr, eps)
	if err != nil {
		t.Fatal(err)
	}
	blockPath := filepath.Join(dir, "genesis.block")
	writeFile(t, blockPath, block)

	// Orderer: environment form over a decoy orderer.yaml.
	ordCfg := nodeconfig.Orderer{
		ID: ord.Host, MSPID: ordOrg.MSPID, MSPDir: ordOrg.NodeMSPDir(cryptoDir, ord),
		ListenAddress: loop(ordPort), TLS: ordOrg.NodeTLS(cryptoDir, ord),
		AdminListenAddress: loop(adminPort), AdminClientRootCAFiles: []string{ordOrg.TLSCAFile(cryptoDir)},
		OperationsListenAddress: loop(ordOpsPort), LedgerDir: filepath.Join(dir, "orderer0", "data"),
	}
	ordDecoy := ordCfg
	ordDecoy.ListenAddress, ordDecoy.AdminListenAddress, ordDecoy.OperationsListenAddress = "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"
	ordDecoy.LedgerDir, ordDecoy.MSPDir = "/nonexistent/ledger", "/nonexistent/msp"
	ordDecoy.TLS.CertFile, ordDecoy.AdminClientRootCAFiles = "/nonexistent/tls.crt", []string{"/nonexistent/ca.crt"}
	ordCfgDir := filepath.Join(dir, "orderer0", "config")
	writeFile(t, filepath.Join(ordCfgDir, "orderer.yaml"), mustBytes(t, ordDecoy.OrdererYAML))
	ordEnv := mustStrings(t, ordCfg.Env)
	ordLog := start(t, ordererBin, nil, append(ordEnv, "FABRIC_CFG_PATH="+ordCfgDir), filepath.Join(dir, "orderer0.log"))
	waitHealthy(t, loop(ordOpsPort), ordLog)

	adminTLS := ordOrg.UserTLS(cryptoDir, AdminUser)
	out, err := runUntilListening(osnadmin, nil, "channel", "join", "--channelID", c.ChannelID, "--config-block", blockPath,
		"-o", loop(adminPort), "--ca-file", adminTLS.RootCAFile, "--client-cert", adminTLS.CertFile, "--client-key", adminTLS.KeyFile)
	if err != nil || !strings.Contains(out, "Status: 201") {
		t.Fatalf("osnadmin channel join: %v\n%s\norderer log:\n%s", err, out, tail(ordLog))
	}

	builder := filepath.Join(dir, "builder")
	for _, name := range []string{"detect", "build", "release"} {
		writeFile(t, filepath.Join(builder, "bin", name), []byte("#!/bin/sh\nexit 1\n"))
		if err := os.Chmod(filepath.Join(builder, "bin", name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i, peer := range hosp.Nodes {
		port := peerPort(i)
		peerCfg := nodeconfig.Peer{
			ID: peer.Host, MSPID: hosp.MSPID, MSPDir: hosp.NodeMSPDir(cryptoDir, peer),
			ListenAddress: loop(port), Address: loop(port), ChaincodeListenAddress: loop(ports[4+3*i]),
			GossipBootstrap: []string{loop(peerPort(1 - i))}, GossipExternalEndpoint: loop(port),
			OperationsListenAddress: loop(ports[5+3*i]),
			FileSystemPath:          filepath.Join(dir, peer.Name, "data"), TLS: hosp.NodeTLS(cryptoDir, peer),
			ExternalBuilders: []nodeconfig.ExternalBuilder{{Name: "ccaas", Path: builder, PropagateEnvironment: []string{"HOME"}}},
		}
		cfgDir := filepath.Join(dir, peer.Name, "config")
		var env []string
		if i == 0 {
			writeFile(t, filepath.Join(cfgDir, "core.yaml"), mustBytes(t, peerCfg.CoreYAML))
		} else {
			decoy := peerCfg
			decoy.ListenAddress, decoy.Address, decoy.ChaincodeListenAddress, decoy.OperationsListenAddress = "127.0.0.1:1", "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"
			decoy.FileSystemPath, decoy.MSPDir = "/nonexistent/decoy", "/nonexistent/msp"
			decoy.ExternalBuilders = []nodeconfig.ExternalBuilder{{Name: "decoy", Path: "/nonexistent/builder"}}
			writeFile(t, filepath.Join(cfgDir, "core.yaml"), mustBytes(t, decoy.CoreYAML))
			env = mustStrings(t, peerCfg.Env)
		}
		peerLog := start(t, peerBin, []string{"node", "start"}, append(env, "FABRIC_CFG_PATH="+cfgDir), filepath.Join(dir, peer.Name+".log"))
		waitHealthy(t, peerCfg.OperationsListenAddress, peerLog)

		cli := []string{
			"FABRIC_CFG_PATH=" + cfgDir, "FABRIC_LOGGING_SPEC=warning",
			"CORE_PEER_LOCALMSPID=" + hosp.MSPID, "CORE_PEER_MSPCONFIGPATH=" + hosp.UserMSPDir(cryptoDir, AdminUser),
			"CORE_PEER_ADDRESS=" + loop(port), "CORE_PEER_TLS_ENABLED=true", "CORE_PEER_TLS_ROOTCERT_FILE=" + peerCfg.TLS.RootCAFile,
		}
		if out, err := runUntilListening(peerBin, cli, "channel", "join", "-b", blockPath); err != nil {
			t.Fatalf("%s: peer channel join: %v\n%s\npeer log:\n%s", peer.Name, err, out, tail(peerLog))
		}
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			info := runOK(t, peerBin, cli, "channel", "getinfo", "-c", c.ChannelID)
			if strings.Contains(info, `"height":1`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: peer channel getinfo: %s\npeer log:\n%s", peer.Name, info, tail(peerLog))
			}
		}
	}
}

func mustBytes(t *testing.T, f func() ([]byte, error)) []byte {
	t.Helper()
	b, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustStrings(t *testing.T, f func() ([]string, error)) []string {
	t.Helper()
	s, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var lns []net.Listener
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cleanEnv is the test's environment without Fabric variables, so only ours apply.
func cleanEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CORE_") && !strings.HasPrefix(kv, "ORDERER_") && !strings.HasPrefix(kv, "FABRIC_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// start runs a Fabric node until the test ends, logging to logPath; it returns logPath.
func start(t *testing.T, bin string, args, env []string, logPath string) string {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = cleanEnv(env)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logFile.Close()
	})
	return logPath
}

// waitHealthy polls a node's operations /healthz until it answers 200.
func waitHealthy(t *testing.T, addr, logPath string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not become healthy; log:\n%s", addr, tail(logPath))
}

func runOK(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	out, err := runCmd(bin, env, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return out
}

// runUntilListening runs a CLI, retrying for up to 10s while its target refuses
// connections: a node's gRPC and admin listeners open shortly after /healthz answers.
func runUntilListening(bin string, env []string, args ...string) (string, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := runCmd(bin, env, args...)
		if err == nil || !strings.Contains(out, "connection refused") || time.Now().After(deadline) {
			return out, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func runCmd(bin string, env []string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = cleanEnv(env)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func tail(p string) string {
	b, _ := os.ReadFile(p)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
