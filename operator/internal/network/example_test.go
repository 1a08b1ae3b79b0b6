package network_test

import (
	"fmt"
	"net"
	"path/filepath"

	"github.com/medledger/medledger/operator/internal/network"
	"github.com/medledger/medledger/operator/internal/network/channel"
	"github.com/medledger/medledger/operator/internal/network/nodeconfig"
)

// Example goes from a topology to the artifacts of a local network: credentials, the
// genesis block with the orderer on 127.0.0.1, and one peer's core.yaml.
func Example() {
	c := network.Consortium{
		ChannelID: "carechannel",
		Orderer:   network.OrdererOrg{Nodes: 1},
		Hospitals: []network.Hospital{{
			Name: "hospital1", MSPID: "Hospital1MSP", Peers: 2,
			Users: []network.User{{Name: "alice", Attrs: map[string]string{"role": "clinician", "onDuty": "true"}}},
		}},
	}
	orgs, err := c.Orgs()
	if err != nil {
		panic(err)
	}
	for _, o := range orgs {
		for _, n := range o.Nodes {
			fmt.Println(n.Host, n.Role, "anchor:", n.Anchor)
		}
	}

	cr, err := network.GenerateCrypto(c, network.CryptoOptions{
		AllNodes: network.SANs{IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}},
	})
	if err != nil {
		panic(err)
	}
	files, _ := cr.Files() // files.WriteDir(root) writes the crypto tree
	fmt.Println("files:", len(files))

	eps := network.DefaultEndpoints(orgs)
	eps["orderer0.orderer.medledger.local"] = channel.Address{Host: "127.0.0.1", Port: 7050}
	block, err := c.GenesisBlock(cr, eps)
	if err != nil {
		panic(err)
	}
	fmt.Println("genesis block:", len(block) > 0)

	root := "/var/lib/medledger/crypto"
	h, peer := orgs[1], orgs[1].Nodes[0]
	core, err := nodeconfig.Peer{
		ID: peer.Host, MSPID: h.MSPID, MSPDir: h.NodeMSPDir(root, peer), TLS: h.NodeTLS(root, peer),
		ListenAddress: "127.0.0.1:7051", Address: "127.0.0.1:7051", ChaincodeListenAddress: "127.0.0.1:7052",
		OperationsListenAddress: "127.0.0.1:9443", FileSystemPath: "/var/lib/medledger/peer0",
		ExternalBuilders: []nodeconfig.ExternalBuilder{{Name: "ccaas", Path: "/opt/medledger/builder"}},
	}.CoreYAML()
	if err != nil {
		panic(err)
	}
	fmt.Println("core.yaml:", len(core) > 0, filepath.Base(h.NodeTLS(root, peer).CertFile))
	// Output:
	// orderer0.orderer.medledger.local orderer anchor: false
	// peer0.hospital1.medledger.local peer anchor: true
	// peer1.hospital1.medledger.local peer anchor: false
	// files: 62
	// genesis block: true
	// core.yaml: true server.crt
}
