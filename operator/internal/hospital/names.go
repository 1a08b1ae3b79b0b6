package hospital

import "strconv"

// MaxNameLength is the longest Hospital name the operator accepts. Derived names must stay valid Kubernetes names:
// the longest Service name is "<name>-peer-15-external" (a 63-character DNS label) and the StatefulSet's
// controller-revision-hash pod label is "<name>-peer-<10-character hash>" (63 characters at most). 40 leaves room.
const MaxNameLength = 40

// Ports every hospital uses. They are container ports, so they never clash between hospitals.
const (
	// PeerPort is the peer's gRPC port (endorsement, gossip, delivery, the Gateway).
	PeerPort = 7051
	// PeerChaincodePort is where a peer would accept chaincode connections; unused with chaincode-as-a-service
	// (the peer dials wasmcc), but core.yaml needs it.
	PeerChaincodePort = 7052
	// PeerOperationsPort serves /healthz, /metrics and /logspec over HTTP; the probes use it.
	PeerOperationsPort = 9443
	// WasmccPort is the port of the wasmcc chaincode server the peers dial.
	WasmccPort = 9999
)

// Labels and annotations on every object the operator creates for a Hospital.
const (
	// LabelHospital holds the Hospital's name; with the namespace it selects everything made for it.
	LabelHospital = "medledger.io/hospital"
	// LabelComponent says which part of the hospital an object belongs to (peer, contract-runtime, identity).
	LabelComponent = "app.kubernetes.io/component"
	// LabelName is the application an object runs (fabric-peer, wasmcc).
	LabelName = "app.kubernetes.io/name"
	// LabelInstance is the Hospital's name, for tools that group by the recommended labels.
	LabelInstance = "app.kubernetes.io/instance"
	// LabelPartOf is always "medledger".
	LabelPartOf = "app.kubernetes.io/part-of"
	// LabelManagedBy is always [ManagedBy]; the manager's cache only holds Secrets, ConfigMaps and Pods that
	// carry it.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// ManagedBy is the value of LabelManagedBy.
	ManagedBy = "medledger-operator"

	// ComponentPeer labels the peers' StatefulSet, pods, Services and configuration.
	ComponentPeer = "peer"
	// ComponentContractRuntime labels wasmcc's Deployment, pods, Service and configuration.
	ComponentContractRuntime = "contract-runtime"
	// ComponentIdentity labels the Secrets holding certificates and keys.
	ComponentIdentity = "identity"

	// AnnotationIdentityRevision counts how often the peers' certificates were replaced (on the identity Secret
	// and the peers' pod template). Changing it rolls the peers one at a time onto the new certificates.
	AnnotationIdentityRevision = "medledger.io/identity-revision"
	// AnnotationConfigHash is a digest of a workload's rendered configuration on its pod template, so a changed
	// configuration rolls the pods.
	AnnotationConfigHash = "medledger.io/config-hash"
	// AnnotationOnDelete on a Hospital chooses what its deletion removes. "Delete" also removes the peers'
	// ledger volumes (PersistentVolumeClaims) and the built-in CA Secret; anything else, or no annotation, keeps
	// them, so that re-creating the Hospital with the same name finds its ledgers and its root of trust.
	AnnotationOnDelete = "medledger.io/on-delete"
	// OnDeleteDelete is the AnnotationOnDelete value that removes volumes and the CA with the Hospital.
	OnDeleteDelete = "Delete"
)

// Names of the objects made for the Hospital called name; all live in the Hospital's namespace.

// CASecretName is the Secret holding the built-in CA's certificates and keys (ca.crt, ca.key, tlsca.crt,
// tlsca.key). Only the operator reads it; it survives the Hospital unless AnnotationOnDelete says Delete.
func CASecretName(name string) string { return name + "-ca" }

// CACertsSecretName is the Secret holding the organisation's verifying MSP: ca.crt, tlsca.crt and the NodeOUs
// config.yaml, without keys. Other organisations and clients trust these (status.caCertificateSecret).
func CACertsSecretName(name string) string { return name + "-ca-certs" }

// PeerIdentitySecretName is the Secret holding every peer's signing and TLS certificate and key, keyed by pod
// name (see [PeerIdentityKeys]).
func PeerIdentitySecretName(name string) string { return name + "-peer-identities" }

// AdminSecretName is the Secret holding the organisation admin's identity (keys in [AdminSecretKeys]), which the
// operator uses for its own Fabric calls: channel joins and chaincode lifecycle.
func AdminSecretName(name string) string { return name + "-admin" }

// PeerConfigMapName is the ConfigMap holding the peers' core.yaml.
func PeerConfigMapName(name string) string { return name + "-peer-config" }

// PeerStatefulSetName is the peers' StatefulSet; also the name of their PodDisruptionBudget and NetworkPolicy.
func PeerStatefulSetName(name string) string { return name + "-peer" }

// PeerServiceName is the ClusterIP Service balancing clients (Gateway, admin calls) over all peers.
func PeerServiceName(name string) string { return name + "-peer" }

// PeerHeadlessServiceName is the headless Service giving each peer pod a stable DNS name.
func PeerHeadlessServiceName(name string) string { return name + "-peers" }

// PeerPodName is the pod of peer i.
func PeerPodName(name string, i int) string { return name + "-peer-" + strconv.Itoa(i) }

// PeerExternalServiceName is the LoadBalancer or NodePort Service publishing peer i outside the cluster.
func PeerExternalServiceName(name string, i int) string { return PeerPodName(name, i) + "-external" }

// PeerVolumeName is the volume claim template of the peers' ledgers; peer i's claim is
// "<PeerVolumeName>-<PeerPodName(i)>".
const PeerVolumeName = "ledger"

// WasmccName names wasmcc's Deployment, Service, ConfigMap, PodDisruptionBudget and NetworkPolicy.
func WasmccName(name string) string { return name + "-wasmcc" }
