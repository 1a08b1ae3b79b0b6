package devnet

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/medledger/medledger/operator/internal/network"
	"github.com/medledger/medledger/operator/internal/network/channel"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// genInput is what generate needs to lay out a new devnet.
type genInput struct {
	dir      string
	bin      string
	topo     Topology
	channel  string
	basePort int
}

// Ports per node: peers listen, chaincode and operations; orderers listen (raft shares it), admin and
// operations.
const portsPerNode = 3

// loopback is the only interface a devnet listens on; every TLS certificate carries it as an IP SAN.
var loopback = net.IPv4(127, 0, 0, 1)

// raftTick is short so a fresh channel elects its leader in about a second instead of five.
const raftTick = 100 * time.Millisecond

// clientUser is the client identity issued to every hospital, used for Gateway transactions.
const clientUser = "User1"

// nodeAddr is a node's runtime addressing, the input of its configuration.
type nodeAddr struct {
	node                network.Node
	listen, second, ops int    // peer: listen, chaincode, operations; orderer: listen, admin, operations
	dir                 string // runtime folder: data, log, pid
	cryptoDir           string // holds msp/ and tls/
}

// consortium is the network library's model of a devnet topology: hospitals hospital1..N with MSP IDs
// Hospital1MSP..., each with a client user, and the default orderer org.
func consortium(topo Topology, channelID string) network.Consortium {
	c := network.Consortium{
		ChannelID: channelID,
		Orderer:   network.OrdererOrg{Nodes: topo.Orderers},
		Raft:      network.RaftOptions{TickInterval: raftTick},
	}
	for h := 1; h <= topo.Hospitals; h++ {
		c.Hospitals = append(c.Hospitals, network.Hospital{
			Name: fmt.Sprintf("hospital%d", h), MSPID: fmt.Sprintf("Hospital%dMSP", h), Peers: topo.PeersPerHospital,
			Users: []network.User{{Name: clientUser, Role: pki.RoleClient}},
		})
	}
	return c
}

// generate creates the crypto tree, node folders, node settings and genesis block of a new devnet in in.dir
// and returns its state, saved. The VERSION stamp is written last, so a failure leaves no devnet behind.
func generate(in genInput) (*state, error) {
	if err := in.topo.validate(); err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(in.dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("devnet: %s is not empty and holds no devnet; choose another --dir or empty it", in.dir)
	}
	c := consortium(in.topo, in.channel)
	orgs, err := c.Orgs()
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	// Everything is computed in memory first, so bad input or a busy port leaves the work dir untouched.
	nNodes := 0
	for _, o := range orgs {
		nNodes += len(o.Nodes)
	}
	ports, err := allocatePorts(nNodes*portsPerNode, in.basePort)
	if err != nil {
		return nil, err
	}
	cr, err := network.GenerateCrypto(c, network.CryptoOptions{AllNodes: network.SANs{DNSNames: []string{"localhost"}, IPAddresses: []net.IP{loopback}}})
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	files, err := cr.Files()
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	cryptoDir := filepath.Join(in.dir, "crypto")
	st := &state{
		Dir: in.dir, Channel: in.channel, Topology: in.topo,
		Genesis: filepath.Join(in.dir, "channel", in.channel+".block"),
		Builder: filepath.Join(in.dir, "builders", "ccaas"),
	}
	eps := network.Endpoints{}
	var addrs []nodeAddr
	for _, o := range orgs {
		st.Orgs = append(st.Orgs, orgStateOf(cryptoDir, o))
		for _, n := range o.Nodes {
			p := ports[len(addrs)*portsPerNode:]
			a := nodeAddr{node: n, listen: p[0], second: p[1], ops: p[2],
				dir: filepath.Join(in.dir, "nodes", n.Host), cryptoDir: filepath.Join(cryptoDir, filepath.FromSlash(o.NodeDir(n)))}
			second := "chaincode"
			if n.Role == pki.RoleOrderer {
				second = "admin"
			}
			st.Ports = append(st.Ports, portUse{n.Host, "listen", a.listen}, portUse{n.Host, second, a.second}, portUse{n.Host, "operations", a.ops})
			eps[n.Host] = channel.Address{Host: loopback.String(), Port: a.listen}
			addrs = append(addrs, a)
		}
	}
	// The orderer org's admin calls the orderers' admin API with a client certificate from its TLS CA.
	var ordererAdminCA string
	for _, o := range st.Orgs {
		if o.Orderer {
			ordererAdminCA = o.TLSCACert
		}
	}
	var configs []nodeFile
	for _, a := range addrs {
		var n nodeState
		var f nodeFile
		if a.node.Role == pki.RoleOrderer {
			n, f, err = ordererNode(in.bin, a, ordererAdminCA)
		} else {
			n, f, err = peerNode(in.bin, a, st.Builder, gossipBootstrap(addrs, a.node.MSPID))
		}
		if err != nil {
			return nil, err
		}
		st.Nodes = append(st.Nodes, n)
		configs = append(configs, f)
	}
	block, err := c.GenesisBlock(cr, eps)
	if err != nil {
		return nil, fmt.Errorf("devnet: genesis block: %w", err)
	}
	if err := write(st, files, cryptoDir, configs, block); err != nil {
		_ = os.RemoveAll(in.dir) // it was empty or absent: nothing of the user's is lost
		return nil, err
	}
	return st, nil
}

// write puts a generated devnet on disk; state.json and the VERSION stamp come last.
func write(st *state, files pki.Files, cryptoDir string, configs []nodeFile, block []byte) error {
	if err := files.WriteDir(cryptoDir); err != nil {
		return fmt.Errorf("devnet: %w", err)
	}
	for _, f := range configs {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return fmt.Errorf("devnet: %w", err)
		}
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			return fmt.Errorf("devnet: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(st.Genesis), 0o755); err != nil {
		return fmt.Errorf("devnet: %w", err)
	}
	if err := os.WriteFile(st.Genesis, block, 0o644); err != nil {
		return fmt.Errorf("devnet: %w", err)
	}
	return st.save()
}

// orgStateOf records where an org's TLS CA and its users' credentials are in the crypto tree.
func orgStateOf(cryptoDir string, o network.Org) orgState {
	base := filepath.Join(cryptoDir, filepath.FromSlash(o.Dir()))
	user := func(name string) cred {
		id := network.UserID(name, o.Domain)
		udir := filepath.Join(cryptoDir, filepath.FromSlash(o.UserDir(name)))
		return cred{
			Name:    id,
			Cert:    filepath.Join(udir, "msp", pki.MSPSignCertsDir, id+"-cert.pem"),
			Key:     filepath.Join(udir, "msp", pki.MSPKeystoreDir, pki.MSPKeyFile),
			TLSCert: filepath.Join(udir, "tls", pki.TLSClientCertFile),
			TLSKey:  filepath.Join(udir, "tls", pki.TLSClientKeyFile),
		}
	}
	st := orgState{
		MSPID: o.MSPID, Domain: o.Domain, Orderer: o.Kind == network.OrdererOrgKind,
		TLSCACert: filepath.Join(base, "msp", pki.MSPTLSCACertsDir, "tlsca."+o.Domain+"-cert.pem"),
		Admin:     user(network.AdminUser),
	}
	for _, u := range o.Users {
		if u.Name == clientUser {
			c := user(clientUser)
			st.User = &c
		}
	}
	return st
}

// gossipBootstrap is the org's first peer: the others learn their org's peers through it.
func gossipBootstrap(addrs []nodeAddr, mspID string) string {
	for _, a := range addrs {
		if a.node.Role == pki.RolePeer && a.node.MSPID == mspID {
			return addr(a.listen)
		}
	}
	return ""
}

func addr(port int) string { return loopback.String() + ":" + strconv.Itoa(port) }
