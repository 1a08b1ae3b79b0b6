// Package hospital computes what a Hospital resource should look like in the cluster: pure functions from a
// Hospital (resolved by [Resolve] into a [Model]) and its certificate material ([Identity]) to the Kubernetes
// objects that run it. Nothing here talks to the API server or reads the clock: the Hospital controller gathers
// the inputs, calls these functions and applies the result, and the tests check the result without a cluster.
// PKI and peer configuration come from operator/internal/network (pki, nodeconfig).
//
// # What a hospital is made of
//
// For a Hospital "h" in namespace "ns":
//
//	Secret h-ca                built-in CA keys (source BuiltinCA); created once, survives the Hospital
//	Secret h-ca-certs          verifying MSP: ca.crt, tlsca.crt, config.yaml (status.caCertificateSecret)
//	Secret h-peer-identities   every peer's signing and TLS key pair, keyed by pod name
//	Secret h-admin             the admin identity the operator signs channel and lifecycle calls with
//	ConfigMap h-peer-config    core.yaml, rendered by nodeconfig
//	StatefulSet h-peer         the peers, one ledger volume each ("ledger-h-peer-<i>")
//	Service h-peers            headless: pod DNS names h-peer-<i>.h-peers.ns.svc.<cluster domain>
//	Service h-peer             ClusterIP over all peers, for clients
//	Service h-peer-<i>-external  per peer, with spec.external (LoadBalancer or NodePort)
//	ConfigMap, Deployment, Service h-wasmcc   the contract runtime the peers dial
//	NetworkPolicy, PodDisruptionBudget h-peer and h-wasmcc
//
// # Peer pods
//
// core.yaml is mounted at [PeerConfigDir]. An init container (the peer image, /bin/sh) copies the pod's own
// credentials from the identity Secrets into a memory-backed [PeerCryptoDir] (msp/ and tls/, cryptogen's layout);
// the ledger volume is [PeerDataDir]. Chaincode runs as a service: the peer uses Fabric's ccaas builder from its
// image ([PeerBuilderDir]) with [BuilderConfigEnv] = {"peername": pod, "address": wasmcc's Service}, so a
// chaincode package's connection.json should say "address": "{{.address}}". Containers run as UID 1000 with a
// read-only root file system and no capabilities.
//
// # Certificates
//
// [PlanIdentity] issues missing certificates and replaces every peer's when one expires within
// spec.identity.renewBefore, stops verifying against the CA, or lacks a name the peer is now reached by. A
// replacement raises the identity revision, a pod template annotation, so the StatefulSet rolls the peers one at a
// time onto certificates from the same CA: other organisations keep trusting them and the hospital keeps
// endorsing.
//
// # wasmcc
//
// wasmcc reads its settings from environment variables ([WasmccConfigMap]): [EnvChaincodeAddress],
// [EnvChaincodeID] (the package IDs it serves, from the joined consortia's status), [EnvDefaultGas],
// [EnvDefaultMemoryPages] and [EnvCacheDir].
package hospital
