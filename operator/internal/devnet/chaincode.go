package devnet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/medledger/medledger/operator/internal/devnet/ccaas"
	"github.com/medledger/medledger/operator/internal/fabricadmin"
)

// Environment variables a supervised chaincode server gets, following Fabric's ccaas conventions.
const (
	EnvChaincodeAddress = "CHAINCODE_SERVER_ADDRESS"
	EnvChaincodeID      = "CHAINCODE_ID"
	// With ChaincodeSpec.TLS: the server's certificate and key, and the CA of the peers' client certificates
	// (PEM files).
	EnvChaincodeTLSCert  = "CHAINCODE_TLS_CERT"
	EnvChaincodeTLSKey   = "CHAINCODE_TLS_KEY"
	EnvChaincodeClientCA = "CHAINCODE_CLIENT_CA_CERT"
)

// ChaincodeSpec describes a chaincode-as-a-service to deploy on the devnet's channel.
type ChaincodeSpec struct {
	// Name is the chaincode name on the channel (also the package label).
	Name string
	// Version is the definition's version; empty means "1".
	Version string
	// Policy is a signature policy expression; empty means the channel default, MAJORITY Endorsement (with
	// two hospitals: both must endorse).
	Policy string
	// Command, when set, starts the chaincode server as a supervised process of the devnet, with
	// CHAINCODE_SERVER_ADDRESS and CHAINCODE_ID in its environment; `down` stops it and `up` restarts it.
	// When empty, the caller serves the chaincode at Address itself.
	Command []string
	// Env is added to the server's environment.
	Env []string
	// ServerEnv, when set, adds per-server settings: it gets the hospital the server belongs to ("" for a
	// shared server) and the server's own folder (for caches, logs...).
	ServerEnv func(mspID, dir string) []string
	// Address is where the server listens (host:port). Empty with a Command means a free loopback port.
	Address string
	// PerHospital runs one server per hospital, as each hospital would run its own in production: each
	// hospital's peers install a package pointing at their own server, and each hospital approves its own
	// package. It needs a Command.
	PerHospital bool
	// TLS serves the chaincode over mutual TLS: the devnet issues the server a certificate from its hospital's
	// TLS CA (CHAINCODE_TLS_CERT, CHAINCODE_TLS_KEY, CHAINCODE_CLIENT_CA_CERT in its environment) and the
	// peers a client certificate, carried in the package's connection.json. It needs a Command.
	TLS bool
	// MetricsEnv, when set, names the environment variable through which the devnet hands each server a
	// loopback address for its operations endpoint; the devnet then waits for GET /healthz there.
	MetricsEnv string
}

// Chaincode is a deployed chaincode.
type Chaincode struct {
	Name     string
	Sequence int64
	// PackageID and Address are those of the first server (the only one unless PerHospital).
	PackageID string
	Address   string
	Servers   []ChaincodeServer
}

// ChaincodeServer is one server of a chaincode.
type ChaincodeServer struct {
	// Org is the hospital whose peers use this server ("" for a server shared by all).
	Org       string
	Node      string
	Address   string
	PackageID string
	// Metrics is the operations address (host:port) when the spec asked for one.
	Metrics string
}

// DeployChaincode packages spec as ccaas, starts its server(s) when spec.Command is set, installs the
// package(s) on every peer, approves the definition for every hospital and commits it. Deploying the same
// spec again changes nothing; a spec with new packages (e.g. another address) is committed as the next
// sequence.
//
// # Errors
//   - spec has no name, or neither a Command nor an Address, or asks for PerHospital or TLS without a
//     Command, or a name Fabric refuses as a package label;
//   - the server cannot start or does not listen;
//   - install, approve or commit fails (the peer's reason is included).
func (d *Devnet) DeployChaincode(ctx context.Context, spec ChaincodeSpec) (Chaincode, error) {
	switch {
	case spec.Name == "":
		return Chaincode{}, errors.New("devnet: chaincode spec has no name")
	case len(spec.Command) == 0 && spec.Address == "":
		return Chaincode{}, fmt.Errorf("devnet: chaincode %s needs a Command to run or the Address where you serve it", spec.Name)
	case len(spec.Command) == 0 && (spec.PerHospital || spec.TLS || spec.MetricsEnv != ""):
		return Chaincode{}, fmt.Errorf("devnet: chaincode %s: PerHospital, TLS and MetricsEnv need a Command the devnet runs", spec.Name)
	}
	version := orDefault(spec.Version, "1")
	prev := d.chaincode(spec.Name)
	owners := []string{""}
	if spec.PerHospital {
		owners = d.Hospitals()
	}
	var servers []serverState
	var nodes []nodeState
	for _, org := range owners {
		srv, node, pkg, err := d.prepareServer(spec, version, org, prev)
		if err != nil {
			return Chaincode{}, err
		}
		srv.pkg = pkg
		servers = append(servers, srv)
		if node != nil {
			nodes = append(nodes, *node)
		}
	}
	rec := chaincodeState{Name: spec.Name, Version: version, Sequence: 1, Policy: spec.Policy, PackageID: servers[0].PackageID, Address: servers[0].Address}
	for _, s := range servers {
		rec.Servers = append(rec.Servers, s.ChaincodeServer)
	}
	if len(nodes) > 0 {
		rec.Node = nodes[0].Name
	}
	if prev != nil {
		rec.Sequence = prev.Sequence
		if !samePackages(prev.servers(), rec.Servers) || prev.Version != version || prev.Policy != spec.Policy {
			rec.Sequence++
		}
	}
	p := d.progress
	if len(nodes) > 0 {
		if err := d.replaceNodes(nodes); err != nil {
			return Chaincode{}, err
		}
		names := make([]string, len(nodes))
		for i, n := range nodes {
			names[i] = n.Name + " on " + n.Address
		}
		if err := p.step("starting chaincode server(s) "+strings.Join(names, ", "), func() error {
			return d.startNodes(ctx, nodes)
		}); err != nil {
			return Chaincode{}, err
		}
	}
	pkgFor := func(msp string) (serverState, bool) {
		for _, s := range servers {
			if s.Org == "" || s.Org == msp {
				return s, true
			}
		}
		return serverState{}, false
	}
	if err := p.step(fmt.Sprintf("installing %s on %d peer(s)", spec.Name, len(d.allPeers())), func() error {
		return d.eachNode(KindPeer, func(n nodeState) error {
			s, _ := pkgFor(n.Org)
			peer, conn, err := d.AdminPeer(n.Name)
			if err != nil {
				return err
			}
			defer conn.Close()
			if _, err := peer.Install(ctx, s.pkg); err != nil {
				return fmt.Errorf("devnet: %s: %w", n.Name, err)
			}
			return nil
		})
	}); err != nil {
		return Chaincode{}, err
	}
	def := func(msp string) fabricadmin.Definition {
		s, _ := pkgFor(msp)
		return fabricadmin.Definition{Channel: d.st.Channel, Name: spec.Name, Version: version, Sequence: rec.Sequence, PackageID: s.PackageID, SignaturePolicy: spec.Policy}
	}
	if err := p.step(fmt.Sprintf("approving %s seq %d for %d hospital(s)", spec.Name, rec.Sequence, len(d.Hospitals())), func() error {
		return d.eachHospital(func(msp string) error {
			peer, conn, err := d.AdminPeer(d.Peers(msp)[0])
			if err != nil {
				return err
			}
			defer conn.Close()
			return peer.Approve(ctx, def(msp))
		})
	}); err != nil {
		return Chaincode{}, err
	}
	if err := p.step("committing "+spec.Name, func() error {
		first := d.Hospitals()[0]
		peer, conn, err := d.AdminPeer(d.Peers(first)[0])
		if err != nil {
			return err
		}
		defer conn.Close()
		return peer.Commit(ctx, def(first))
	}); err != nil {
		return Chaincode{}, err
	}
	d.st.Chaincodes = append(slices.DeleteFunc(d.st.Chaincodes, func(c chaincodeState) bool { return c.Name == spec.Name }), rec)
	if err := d.st.save(); err != nil {
		return Chaincode{}, err
	}
	return rec.public(), nil
}

// serverState is a server being prepared, with its package.
type serverState struct {
	ChaincodeServer
	pkg []byte
}

// prepareServer picks the address(es) of one server, writes its TLS material, builds its package and, when
// the devnet runs it, describes its process.
func (d *Devnet) prepareServer(spec ChaincodeSpec, version, org string, prev *chaincodeState) (serverState, *nodeState, []byte, error) {
	node := "chaincode." + spec.Name
	if org != "" {
		node += "." + d.hospitalName(org)
	}
	s := serverState{ChaincodeServer: ChaincodeServer{Org: org, Node: node, Address: spec.Address}}
	var old *ChaincodeServer
	if prev != nil {
		for _, ps := range prev.servers() {
			if ps.Node == node {
				old = &ps
			}
		}
	}
	if s.Address == "" && old != nil && old.Address != "" && len(spec.Command) > 0 {
		s.Address = old.Address // keep the port, hence the package ID, across deploys
	}
	var fresh []portUse
	want := 0
	if s.Address == "" {
		want++
	}
	if spec.MetricsEnv != "" {
		if old != nil && old.Metrics != "" {
			s.Metrics = old.Metrics
		} else {
			want++
		}
	}
	if want > 0 {
		ports, err := allocatePorts(want, 0)
		if err != nil {
			return s, nil, nil, err
		}
		if s.Address == "" {
			s.Address = addr(ports[0])
			fresh = append(fresh, portUse{Node: node, Purpose: "chaincode server", Port: ports[0]})
			ports = ports[1:]
		}
		if spec.MetricsEnv != "" && s.Metrics == "" {
			s.Metrics = addr(ports[0])
			fresh = append(fresh, portUse{Node: node, Purpose: "operations", Port: ports[0]})
		}
	}
	conn := ccaas.Connection{Address: s.Address, DialTimeout: "10s"}
	dir := filepath.Join(d.st.Dir, "chaincode", strings.TrimPrefix(node, "chaincode."))
	var tlsEnv []string
	if spec.TLS {
		owner := org
		if owner == "" {
			owner = d.Hospitals()[0]
		}
		t, err := d.chaincodeTLS(owner, filepath.Join(dir, "tls"))
		if err != nil {
			return s, nil, nil, err
		}
		conn.TLSRequired, conn.RootCert = true, string(t.ca)
		conn.ClientAuthRequired, conn.ClientCert, conn.ClientKey = true, string(t.clientCert), string(t.clientKey)
		tlsEnv = []string{EnvChaincodeTLSCert + "=" + t.serverCertFile, EnvChaincodeTLSKey + "=" + t.serverKeyFile, EnvChaincodeClientCA + "=" + t.caFile}
	}
	pkg, err := ccaas.Package(spec.Name+"_"+version, conn)
	if err != nil {
		return s, nil, nil, fmt.Errorf("devnet: chaincode %s: %w", spec.Name, err)
	}
	if s.PackageID, err = ccaas.PackageID(pkg); err != nil {
		return s, nil, nil, err
	}
	d.st.Ports = append(d.st.Ports, fresh...)
	if len(spec.Command) == 0 {
		return s, nil, pkg, nil
	}
	exe, err := stageExe(d.st.Dir, spec.Command[0])
	if err != nil {
		return s, nil, nil, err
	}
	env := append(slices.Clone(spec.Env), EnvChaincodeAddress+"="+s.Address, EnvChaincodeID+"="+s.PackageID)
	env = append(env, tlsEnv...)
	if spec.MetricsEnv != "" {
		env = append(env, spec.MetricsEnv+"="+s.Metrics)
	}
	if spec.ServerEnv != nil {
		env = append(env, spec.ServerEnv(org, dir)...)
	}
	n := &nodeState{
		Name: node, Kind: KindChaincode, Org: org, Dir: dir, Address: s.Address, Operations: s.Metrics,
		Exe: exe, Args: slices.Clone(spec.Command[1:]), Env: env,
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return s, nil, nil, fmt.Errorf("devnet: %w", err)
	}
	return s, n, pkg, nil
}

// replaceNodes records nodes in the state, stopping servers of another package first (the same one may keep
// running).
func (d *Devnet) replaceNodes(nodes []nodeState) error {
	for _, node := range nodes {
		if old, ok := d.st.node(node.Name); ok && !sameProcess(old, node) {
			if err := stop(old.pidFile(), 10*time.Second); err != nil {
				return err
			}
		}
		d.st.Nodes = append(slices.DeleteFunc(d.st.Nodes, func(n nodeState) bool { return n.Name == node.Name }), node)
	}
	return d.st.save()
}

// hospitalName is the short name of a hospital MSP ID: Hospital2MSP -> hospital2.
func (d *Devnet) hospitalName(mspID string) string {
	if o, ok := d.st.org(mspID); ok {
		if name, _, found := strings.Cut(o.Domain, "."); found {
			return name
		}
	}
	return strings.ToLower(strings.TrimSuffix(mspID, "MSP"))
}

func samePackages(a, b []ChaincodeServer) bool {
	return slices.EqualFunc(a, b, func(x, y ChaincodeServer) bool { return x.Org == y.Org && x.PackageID == y.PackageID })
}

// Chaincodes lists the chaincodes deployed through DeployChaincode.
func (d *Devnet) Chaincodes() []Chaincode {
	out := make([]Chaincode, 0, len(d.st.Chaincodes))
	for _, c := range d.st.Chaincodes {
		out = append(out, c.public())
	}
	return out
}

// FindChaincode returns the chaincode deployed under name.
func (d *Devnet) FindChaincode(name string) (Chaincode, bool) {
	c := d.chaincode(name)
	if c == nil {
		return Chaincode{}, false
	}
	return c.public(), true
}

func (c chaincodeState) public() Chaincode {
	return Chaincode{Name: c.Name, PackageID: c.PackageID, Address: c.Address, Sequence: c.Sequence, Servers: c.servers()}
}

// servers returns the chaincode's servers; state written before PerHospital existed records one.
func (c chaincodeState) servers() []ChaincodeServer {
	if len(c.Servers) > 0 {
		return slices.Clone(c.Servers)
	}
	return []ChaincodeServer{{Node: c.Node, Address: c.Address, PackageID: c.PackageID}}
}

func (d *Devnet) chaincode(name string) *chaincodeState {
	for i := range d.st.Chaincodes {
		if d.st.Chaincodes[i].Name == name {
			return &d.st.Chaincodes[i]
		}
	}
	return nil
}

// restartChaincodes starts the supervised chaincode servers that are not running, with their recorded package
// IDs, so committed chaincodes keep answering after a restart.
func (d *Devnet) restartChaincodes(ctx context.Context) error {
	var nodes []nodeState
	for _, n := range d.st.Nodes {
		if n.Kind == KindChaincode {
			nodes = append(nodes, n)
		}
	}
	if len(nodes) == 0 {
		return nil
	}
	return d.progress.step(fmt.Sprintf("starting %d chaincode server(s)", len(nodes)), func() error {
		return d.startNodes(ctx, nodes)
	})
}

// StartChaincodeServers starts every supervised chaincode server that is not running and waits until each
// serves.
//
// # Errors
//   - a server exits during start-up or does not listen in time.
func (d *Devnet) StartChaincodeServers(ctx context.Context) error { return d.restartChaincodes(ctx) }

// ChaincodeServerPID returns the pid of a running chaincode server, or 0.
func (d *Devnet) ChaincodeServerPID(node string) int {
	n, err := d.st.findNode(node)
	if err != nil {
		return 0
	}
	pid, running, _ := alive(n.pidFile())
	if !running {
		return 0
	}
	return pid
}

func (d *Devnet) eachHospital(fn func(msp string) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, msp := range d.Hospitals() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(msp); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

func sameProcess(a, b nodeState) bool {
	return a.Exe == b.Exe && slices.Equal(a.Args, b.Args) && slices.Equal(a.Env, b.Env)
}

// StopNode stops one supervised process of the devnet (a peer, an orderer or a chaincode server; by name or
// unique prefix), as a crash or maintenance would; Up starts it again with its data intact.
//
// # Errors
//   - no node matches, or several do;
//   - the process survives SIGKILL.
func (d *Devnet) StopNode(node string) error {
	n, err := d.st.findNode(node)
	if err != nil {
		return err
	}
	return stop(n.pidFile(), 10*time.Second)
}

// NodeDir returns a node's folder in the work dir (its data, log and pid file), or "" when there is no such
// node.
func (d *Devnet) NodeDir(node string) string {
	n, err := d.st.findNode(node)
	if err != nil {
		return ""
	}
	return n.Dir
}

// NodeMetrics returns the operations address (host:port serving /healthz and /metrics) of a node, or "".
func (d *Devnet) NodeMetrics(node string) string {
	n, err := d.st.findNode(node)
	if err != nil {
		return ""
	}
	return n.Operations
}
