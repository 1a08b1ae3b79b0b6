package devnet

import (
	"fmt"
	"path/filepath"

	"github.com/medledger/medledger/operator/internal/network/nodeconfig"
)

// nodeFile is a node's rendered configuration file, written into its FABRIC_CFG_PATH folder.
type nodeFile struct {
	path string
	data []byte
}

// gossipTuning shortens Fabric's gossip intervals, made for WANs, to loopback scale: peers of different
// hospitals find each other in about a second instead of up to half a minute (a failed first dial to an anchor
// peer is otherwise retried only after reconnectInterval, 25s). Environment overrides the rendered core.yaml.
var gossipTuning = []string{
	"CORE_PEER_GOSSIP_ALIVETIMEINTERVAL=1s",
	"CORE_PEER_GOSSIP_PULLINTERVAL=1s",
	"CORE_PEER_GOSSIP_PUBLISHSTATEINFOINTERVAL=500ms",
	"CORE_PEER_GOSSIP_REQUESTSTATEINFOINTERVAL=500ms",
	"CORE_PEER_GOSSIP_RECONNECTINTERVAL=1s",
}

// ordererNode renders an orderer's orderer.yaml with the network library and describes its process.
func ordererNode(bin string, a nodeAddr, adminCA string) (nodeState, nodeFile, error) {
	tls := filepath.Join(a.cryptoDir, "tls")
	cfgDir := filepath.Join(a.dir, "config")
	o := nodeconfig.Orderer{
		ID: a.node.Host, MSPID: a.node.MSPID, MSPDir: filepath.Join(a.cryptoDir, "msp"),
		ListenAddress: addr(a.listen),
		TLS: nodeconfig.TLS{
			CertFile: filepath.Join(tls, "server.crt"), KeyFile: filepath.Join(tls, "server.key"), RootCAFile: filepath.Join(tls, "ca.crt"),
		},
		AdminListenAddress:      addr(a.second),
		AdminClientRootCAFiles:  []string{adminCA},
		OperationsListenAddress: addr(a.ops),
		LedgerDir:               filepath.Join(a.dir, "data", "ledger"),
		WALDir:                  filepath.Join(a.dir, "data", "etcdraft", "wal"),
		SnapDir:                 filepath.Join(a.dir, "data", "etcdraft", "snapshot"),
	}
	yaml, err := o.OrdererYAML()
	if err != nil {
		return nodeState{}, nodeFile{}, fmt.Errorf("devnet: %w", err)
	}
	n := nodeState{
		Name: a.node.Host, Kind: KindOrderer, Org: a.node.MSPID, Dir: a.dir,
		Address: addr(a.listen), Operations: addr(a.ops), AdminAddress: addr(a.second),
		Exe: filepath.Join(bin, "orderer"), Env: []string{"FABRIC_CFG_PATH=" + cfgDir},
	}
	return n, nodeFile{filepath.Join(cfgDir, "orderer.yaml"), yaml}, nil
}

// peerNode renders a peer's core.yaml with the network library and describes its process.
func peerNode(bin string, a nodeAddr, builder, bootstrap string) (nodeState, nodeFile, error) {
	tls := filepath.Join(a.cryptoDir, "tls")
	cfgDir := filepath.Join(a.dir, "config")
	p := nodeconfig.Peer{
		ID: a.node.Host, MSPID: a.node.MSPID, MSPDir: filepath.Join(a.cryptoDir, "msp"),
		ListenAddress: addr(a.listen), Address: addr(a.listen),
		ChaincodeListenAddress: addr(a.second), ChaincodeAddress: addr(a.second),
		GossipBootstrap:         []string{bootstrap},
		GossipExternalEndpoint:  addr(a.listen),
		OperationsListenAddress: addr(a.ops),
		FileSystemPath:          filepath.Join(a.dir, "data"),
		TLS: nodeconfig.TLS{
			CertFile: filepath.Join(tls, "server.crt"), KeyFile: filepath.Join(tls, "server.key"), RootCAFile: filepath.Join(tls, "ca.crt"),
		},
		ExternalBuilders: []nodeconfig.ExternalBuilder{{Name: "medledger-ccaas", Path: builder, PropagateEnvironment: []string{"CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG"}}},
	}
	yaml, err := p.CoreYAML()
	if err != nil {
		return nodeState{}, nodeFile{}, fmt.Errorf("devnet: %w", err)
	}
	n := nodeState{
		Name: a.node.Host, Kind: KindPeer, Org: a.node.MSPID, Dir: a.dir,
		Address: addr(a.listen), Operations: addr(a.ops),
		Exe: filepath.Join(bin, "peer"), Args: []string{"node", "start"},
		Env: append([]string{"FABRIC_CFG_PATH=" + cfgDir}, gossipTuning...),
	}
	return n, nodeFile{filepath.Join(cfgDir, "core.yaml"), yaml}, nil
}
