// Package pki issues the X.509 material a Hyperledger Fabric organisation needs, with Go's
// crypto/x509 instead of cryptogen or a Fabric CA.
//
// Every organisation has two ECDSA P-256 certificate authorities: a signing CA that issues
// the MSP identities (peers, orderers, admins, clients, distinguished by their NodeOU in the
// certificate's OU) and a TLS CA that issues TLS server and client certificates. The package
// lays that material out as the MSP and TLS folders Fabric reads (see [Files]), and reads it
// back from PEM so an operator can keep it in Kubernetes Secrets.
//
// Everything is pure: time comes in through [Validity] or [Settings.Clock], and the only I/O
// is [Files.WriteDir].
package pki
