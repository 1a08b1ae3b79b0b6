// Package network turns a medledger topology — a consortium of hospitals sharing one
// Fabric channel, ordered by one orderer organisation — into the artifacts that run it:
// certificates and MSP folders ([GenerateCrypto]), the channel genesis block
// ([Consortium.GenesisBlock]) and, through sub-package nodeconfig, each node's core.yaml or
// orderer.yaml. It is pure: functions take data and return data, and nothing here starts a
// process or talks to Kubernetes. The only I/O is the explicit pki.Files.WriteDir.
//
// Names are deterministic. With the default domain "medledger.local":
//
//	organisation domain   hospital1.medledger.local, orderer.medledger.local
//	peers                 peer0.hospital1.medledger.local, peer1...
//	orderers              orderer0.orderer.medledger.local, orderer1...
//	users                 Admin@hospital1.medledger.local, alice@hospital1.medledger.local
//
// Sub-packages: pki (CAs, identities, MSP layout), channel (genesis block with
// fabric-config), nodeconfig (peer and orderer configuration).
package network
