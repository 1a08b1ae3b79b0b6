package network

import (
	"fmt"
	"testing"

	"github.com/medledger/medledger/operator/internal/network/nodeconfig"
)

// benchConsortium is a mid-sized network: 3 orderers, 4 hospitals with 2 peers and a user.
func benchConsortium() Consortium {
	c := Consortium{ChannelID: "carechannel", Orderer: OrdererOrg{Nodes: 3}}
	for i := 1; i <= 4; i++ {
		c.Hospitals = append(c.Hospitals, Hospital{
			Name: fmt.Sprintf("hospital%d", i), MSPID: fmt.Sprintf("Hospital%dMSP", i), Peers: 2,
			Users: []User{{Name: "alice", Attrs: map[string]string{"role": "clinician"}}},
		})
	}
	return c
}

func BenchmarkGenerateCrypto(b *testing.B) {
	c := benchConsortium()
	for b.Loop() {
		if _, err := GenerateCrypto(c, CryptoOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConsortium_GenesisBlock(b *testing.B) {
	c := benchConsortium()
	cr, err := GenerateCrypto(c, CryptoOptions{})
	if err != nil {
		b.Fatal(err)
	}
	orgs, _ := c.Orgs()
	eps := DefaultEndpoints(orgs)
	for b.Loop() {
		if _, err := c.GenesisBlock(cr, eps); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPeer_CoreYAML(b *testing.B) {
	p := nodeconfig.Peer{
		ID: "peer0.hospital1.medledger.local", MSPID: "Hospital1MSP", MSPDir: "/c/msp",
		ListenAddress: "0.0.0.0:7051", Address: "peer0:7051", ChaincodeListenAddress: "0.0.0.0:7052",
		OperationsListenAddress: "0.0.0.0:9443", FileSystemPath: "/data",
		TLS:              nodeconfig.TLS{CertFile: "/c/tls/server.crt", KeyFile: "/c/tls/server.key", RootCAFile: "/c/tls/ca.crt"},
		ExternalBuilders: []nodeconfig.ExternalBuilder{{Name: "ccaas", Path: "/opt/builder"}},
	}
	for b.Loop() {
		if _, err := p.CoreYAML(); err != nil {
			b.Fatal(err)
		}
	}
}
