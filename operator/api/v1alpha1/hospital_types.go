package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// HospitalSpec is what a hospital's IT team asks for: one Fabric organisation with its own peers, identity and
// contract runtime, and the consortia it agrees to join.
type HospitalSpec struct {
	// MSPID is the organisation's Fabric MSP ID, the name other members and policies know it by (for example
	// Hospital1MSP). It must be unique among the Hospitals of a consortium and cannot change after creation.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="is immutable: it names the organisation in every channel and policy; create a new Hospital instead"
	MSPID MSPID `json:"mspID"`

	// Fabric chooses the Fabric release (image tag) and image of the peers.
	// +optional
	// +kubebuilder:default={}
	Fabric FabricSpec `json:"fabric,omitempty"`

	// Peers sizes the hospital's peer set.
	// +optional
	// +kubebuilder:default={}
	Peers PeerSetSpec `json:"peers,omitempty"`

	// Identity chooses the organisation's certificate authority and the lifetime of its node certificates.
	// +optional
	// +kubebuilder:default={}
	Identity IdentitySpec `json:"identity,omitempty"`

	// ContractRuntime sizes this hospital's wasmcc deployment, the chaincode server that runs WebAssembly
	// contracts for its peers, and sets the default contract limits.
	// +optional
	// +kubebuilder:default={}
	ContractRuntime ContractRuntimeSpec `json:"contractRuntime,omitempty"`

	// Uniqueness compares whole references (d == c): comparing fields through has() ternaries loses their
	// maxLength, and the API server's cost estimate then refuses the CRD. Consortium.spec.members does the same.

	// Consortia lists the consortia this hospital agrees to join. A hospital joins a consortium's channel only
	// when both sides agree: it is listed here and the Consortium lists it among its members.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.all(c, self.exists_one(d, d == c))",message="must not list the same consortium twice"
	Consortia []ConsortiumReference `json:"consortia,omitempty"`

	// External publishes the peers outside the cluster, for consortium members that run elsewhere. Empty means
	// peers are reachable inside the cluster only.
	// +optional
	External *ExternalEndpointSpec `json:"external,omitempty"`
}

// PeerSetSpec sizes a hospital's peers: one StatefulSet with a volume per peer.
type PeerSetSpec struct {
	// Replicas is the number of peers, between 1 and 16. Two or more keep the hospital endorsing while one restarts.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:XValidation:rule="self >= 1 && self <= 16",message="must be between 1 and 16"
	Replicas *int32 `json:"replicas,omitempty"`

	// Storage sizes each peer's ledger volume. It cannot change after creation.
	// +optional
	// +kubebuilder:default={}
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="is immutable: StatefulSet volume claim templates cannot change; resize the PersistentVolumeClaims directly"
	Storage StorageSpec `json:"storage,omitempty"`

	// Resources are the compute requests and limits of each peer container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`
}

// ContractRuntimeSpec sizes a hospital's wasmcc deployment, the Fabric chaincode-as-a-service server that runs the
// WebAssembly contracts in a wazero sandbox.
type ContractRuntimeSpec struct {
	// Replicas is the number of wasmcc pods, between 1 and 10. The peers balance contract calls across them.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:XValidation:rule="self >= 1 && self <= 10",message="must be between 1 and 10"
	Replicas *int32 `json:"replicas,omitempty"`

	// Image is the wasmcc image, with tag or digest. Empty means the image that matches the operator's version.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image,omitempty"`

	// Resources are the compute requests and limits of each wasmcc container. Memory should cover the contracts'
	// memory pages times the concurrent calls.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// DefaultLimits are the limits of contracts whose SmartContract does not set its own.
	// +optional
	DefaultLimits ContractLimits `json:"defaultLimits,omitempty"`
}

// ExternalServiceType is how peers are exposed outside the cluster.
// +kubebuilder:validation:Enum=LoadBalancer;NodePort
type ExternalServiceType string

// ExternalEndpointSpec publishes a hospital's peers outside the cluster. Peer i is advertised to other
// organisations as <hospital>-peer-<i>.<domain>:<port>; DNS for those names is the user's to set up.
type ExternalEndpointSpec struct {
	// Domain is the DNS suffix of the advertised peer names, for example fabric.hospital-a.example.org.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	// +kubebuilder:validation:XValidation:rule=`self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)+$')`,message="must be a lower-case DNS name with at least two labels, for example fabric.hospital-a.example.org"
	Domain string `json:"domain"`

	// Port is the advertised port of every peer, between 1 and 65535.
	// +optional
	// +kubebuilder:default=443
	// +kubebuilder:validation:XValidation:rule="self >= 1 && self <= 65535",message="must be between 1 and 65535"
	Port *int32 `json:"port,omitempty"`

	// ServiceType is the type of the per-peer Services: LoadBalancer or NodePort.
	// +optional
	// +kubebuilder:default=LoadBalancer
	ServiceType ExternalServiceType `json:"serviceType,omitempty"`

	// Annotations are added to the per-peer Services, for example a cloud load balancer's settings.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// HospitalStatus is what the operator observed about a Hospital.
type HospitalStatus struct {
	// ObservedGeneration is the metadata.generation this status describes; when it lags behind, the operator has
	// not yet acted on the latest spec.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are Ready, IdentityReady, PeersReady, ContractRuntimeReady and ChannelsJoined.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// ReadyPeers is the number of peers that pass their readiness probe.
	// +optional
	ReadyPeers int32 `json:"readyPeers,omitempty"`

	// DesiredPeers is spec.peers.replicas as last acted on.
	// +optional
	DesiredPeers int32 `json:"desiredPeers,omitempty"`

	// Peers summarises readiness as READY/DESIRED, for example 2/2.
	// +optional
	Peers string `json:"peers,omitempty"`

	// FabricVersion is the Fabric release all peers run; during an upgrade it is the older one.
	// +optional
	FabricVersion string `json:"fabricVersion,omitempty"`

	// PeerEndpoints are the addresses of the peers.
	// +optional
	// +listType=map
	// +listMapKey=name
	PeerEndpoints []PeerEndpoint `json:"peerEndpoints,omitempty"`

	// ContractRuntimeEndpoint is the in-cluster host:port of the wasmcc Service the peers dial.
	// +optional
	ContractRuntimeEndpoint string `json:"contractRuntimeEndpoint,omitempty"`

	// CACertificateSecret is the Secret, in the Hospital's namespace, holding the MSP's CA certificates (ca.crt,
	// tlsca.crt) for other organisations and clients to trust.
	// +optional
	CACertificateSecret string `json:"caCertificateSecret,omitempty"`

	// The CertExpiry printer column shows this as a string: kubectl prints a future time in a date column as
	// <invalid>.

	// CertificateExpiry is when the first of the hospital's node certificates expires.
	// +optional
	CertificateExpiry *metav1.Time `json:"certificateExpiry,omitempty"`

	// CertificateRenewalTime is when the operator next renews node certificates.
	// +optional
	CertificateRenewalTime *metav1.Time `json:"certificateRenewalTime,omitempty"`

	// Channels are the channels the peers have joined.
	// +optional
	// +listType=map
	// +listMapKey=name
	Channels []JoinedChannel `json:"channels,omitempty"`

	// LedgerHeight is the greatest block height among the joined channels, as reported by the peers.
	// +optional
	LedgerHeight int64 `json:"ledgerHeight,omitempty"`
}

// PeerEndpoint is where one peer listens.
type PeerEndpoint struct {
	// Name is the peer's pod name.
	Name string `json:"name"`

	// Address is the in-cluster host:port of the peer's gRPC service.
	Address string `json:"address"`

	// ExternalAddress is the host:port advertised outside the cluster, when spec.external is set.
	// +optional
	ExternalAddress string `json:"externalAddress,omitempty"`

	// Ready says whether the peer passes its readiness probe.
	Ready bool `json:"ready"`
}

// JoinedChannel is one channel a hospital's peers have joined.
type JoinedChannel struct {
	// Name is the channel name.
	Name string `json:"name"`

	// Consortium is the Consortium that owns the channel, as namespace/name.
	Consortium string `json:"consortium"`

	// Height is the channel's block height on this hospital's peers (the lowest among them).
	// +optional
	Height int64 `json:"height,omitempty"`

	// JoinedAt is when the first peer joined.
	// +optional
	JoinedAt *metav1.Time `json:"joinedAt,omitempty"`
}

// Hospital is one hospital's Fabric organisation: its MSP identity, a set of peers with persistent ledgers, a
// contract runtime (wasmcc) for its peers, and the consortia it agrees to join. The operator derives the PKI, renders
// the peer configuration, runs the peers and wasmcc, and reports readiness, certificate expiry and ledger heights.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=hosp,categories=medledger
// +kubebuilder:printcolumn:name="MSPID",type=string,JSONPath=`.spec.mspID`
// +kubebuilder:printcolumn:name="Peers",type=string,JSONPath=`.status.peers`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Height",type=integer,JSONPath=`.status.ledgerHeight`
// +kubebuilder:printcolumn:name="CertExpiry",type=string,JSONPath=`.status.certificateExpiry`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Hospital struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired organisation.
	Spec HospitalSpec `json:"spec"`

	// Status is what the operator observed.
	// +optional
	Status HospitalStatus `json:"status,omitempty"`
}

// HospitalList is a list of Hospitals.
//
// +kubebuilder:object:root=true
type HospitalList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the Hospitals.
	Items []Hospital `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Hospital{}, &HospitalList{})
}
