package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConsortiumSpec is a shared ledger: one Fabric application channel, the ordering service that orders it, the
// hospitals that are its members, and the policies they agreed on.
type ConsortiumSpec struct {
	// ChannelName is the Fabric channel's name: lower-case letters, digits, '.' and '-', starting with a letter,
	// under 250 characters. It cannot change after creation.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=249
	// +kubebuilder:validation:XValidation:rule=`self.matches('^[a-z][a-z0-9.-]*$')`,message="must be a Fabric channel name: a lower-case letter, then lower-case letters, digits, '.' or '-' (for example care-network)"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="is immutable: a channel cannot be renamed; create a new Consortium instead"
	ChannelName string `json:"channelName"`

	// Orderer is the ordering service the consortium runs for its channel.
	Orderer OrdererSpec `json:"orderer"`

	// Members are the hospitals of the consortium. A hospital joins only when it also lists this Consortium in
	// its spec.consortia, so that both sides agree.
	// +listType=atomic
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:XValidation:rule="self.all(m, self.exists_one(n, n == m))",message="must not list the same hospital twice"
	Members []HospitalReference `json:"members"`

	// Policies are the channel's endorsement and contract governance policies.
	// +optional
	// +kubebuilder:default={}
	Policies ConsortiumPolicies `json:"policies,omitempty"`

	// Batch is how the orderers cut blocks.
	// +optional
	// +kubebuilder:default={}
	Batch BatchSpec `json:"batch,omitempty"`
}

// ConsensusType is the ordering service's consensus protocol.
// +kubebuilder:validation:Enum=etcdraft;BFT
type ConsensusType string

const (
	// ConsensusEtcdRaft is crash fault tolerant Raft: n nodes survive (n-1)/2 crashed nodes.
	ConsensusEtcdRaft ConsensusType = "etcdraft"
	// ConsensusBFT is Byzantine fault tolerant SmartBFT (Fabric 3.0 and later): 3f+1 nodes survive f faulty ones.
	ConsensusBFT ConsensusType = "BFT"
)

// OrdererSpec is a consortium's ordering service, run by an orderer organisation of its own.
//
// +kubebuilder:validation:XValidation:rule="self.consensus != 'BFT' || self.nodes >= 4",message="nodes must be at least 4 for BFT consensus: 3f+1 nodes tolerate f faulty ones"
// +kubebuilder:validation:XValidation:rule="self.consensus != 'BFT' || !has(self.fabric) || !has(self.fabric.version) || !self.fabric.version.matches('^2[.]')",message="BFT consensus needs Fabric 3.0.0 or later in fabric.version"
type OrdererSpec struct {
	// OrgMSPID is the MSP ID of the orderer organisation, for example CareNetOrdererMSP. It cannot change after
	// creation.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="is immutable: it names the orderer organisation in the channel configuration"
	OrgMSPID MSPID `json:"orgMSPID"`

	// Consensus is etcdraft (crash fault tolerant) or BFT (Byzantine fault tolerant, Fabric 3.0+). It cannot
	// change after creation.
	// +optional
	// +kubebuilder:default=etcdraft
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="is immutable: Fabric cannot migrate a running channel between etcdraft and BFT"
	Consensus ConsensusType `json:"consensus,omitempty"`

	// Nodes is the number of orderer nodes, between 1 and 15; at least 4 for BFT. An odd number suits etcdraft:
	// an even one adds no fault tolerance.
	// +optional
	// +kubebuilder:default=3
	// +kubebuilder:validation:XValidation:rule="self >= 1 && self <= 15",message="must be between 1 and 15"
	Nodes *int32 `json:"nodes,omitempty"`

	// Fabric chooses the Fabric release (image tag) and image of the orderers.
	// +optional
	// +kubebuilder:default={}
	Fabric FabricSpec `json:"fabric,omitempty"`

	// Identity chooses the orderer organisation's certificate authority and node certificate lifetime.
	// +optional
	// +kubebuilder:default={}
	Identity IdentitySpec `json:"identity,omitempty"`

	// Storage sizes each orderer's ledger volume. It cannot change after creation.
	// +optional
	// +kubebuilder:default={}
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="is immutable: StatefulSet volume claim templates cannot change; resize the PersistentVolumeClaims directly"
	Storage StorageSpec `json:"storage,omitempty"`

	// Resources are the compute requests and limits of each orderer container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`
}

// ConsortiumPolicies are the policies the members agree on for their channel.
type ConsortiumPolicies struct {
	// Endorsement is the channel's default endorsement policy (/Channel/Application/Endorsement), which every
	// contract call must satisfy unless its SmartContract overrides it.
	// +optional
	// +kubebuilder:default="MAJORITY Endorsement"
	Endorsement ChannelPolicy `json:"endorsement,omitempty"`

	// ContractGovernance is the policy a SmartContract deployment or upgrade must satisfy: the deploy transaction
	// needs endorsements from these members before new code reaches the ledger.
	// +optional
	// +kubebuilder:default="MAJORITY Endorsement"
	ContractGovernance ChannelPolicy `json:"contractGovernance,omitempty"`
}

// BatchSpec is how the orderers cut transactions into blocks: a block is cut when the first limit is reached.
//
// +kubebuilder:validation:XValidation:rule=`!has(self.preferredMaxBytes) || !has(self.absoluteMaxBytes) || !isQuantity(string(self.preferredMaxBytes)) || !isQuantity(string(self.absoluteMaxBytes)) || quantity(string(self.preferredMaxBytes)).compareTo(quantity(string(self.absoluteMaxBytes))) <= 0`,message="preferredMaxBytes must not exceed absoluteMaxBytes"
type BatchSpec struct {
	// Timeout is how long the orderers wait for more transactions before cutting a block, a Go duration between
	// 10ms and 60s, for example 2s or 250ms.
	// +optional
	// +kubebuilder:default="2s"
	// +kubebuilder:validation:XValidation:rule=`self.matches('^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$') && duration(self) >= duration('10ms') && duration(self) <= duration('60s')`,message="must be a duration such as 2s or 250ms, between 10ms and 60s"
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// MaxMessageCount is the most transactions in one block, between 1 and 10000.
	// +optional
	// +kubebuilder:default=500
	// +kubebuilder:validation:XValidation:rule="self >= 1 && self <= 10000",message="must be between 1 and 10000"
	MaxMessageCount *int32 `json:"maxMessageCount,omitempty"`

	// AbsoluteMaxBytes is the largest block, and so the largest transaction, the orderers accept; under 100Mi,
	// the orderers' gRPC message limit. A deploy transaction carries a whole module, so keep it above the
	// largest contract.
	// +optional
	// +kubebuilder:default="10Mi"
	// +kubebuilder:validation:XValidation:rule=`isQuantity(string(self)) && quantity(string(self)).isGreaterThan(quantity('0')) && quantity(string(self)).isLessThan(quantity('100Mi'))`,message="must be above 0 and below 100Mi, the orderers' gRPC message limit"
	AbsoluteMaxBytes *resource.Quantity `json:"absoluteMaxBytes,omitempty"`

	// PreferredMaxBytes is the block size the orderers aim for; a larger transaction gets a block of its own. It
	// must not exceed absoluteMaxBytes.
	// +optional
	// +kubebuilder:default="2Mi"
	// +kubebuilder:validation:XValidation:rule=`isQuantity(string(self)) && quantity(string(self)).isGreaterThan(quantity('0'))`,message="must be a size above 0, for example 2Mi"
	PreferredMaxBytes *resource.Quantity `json:"preferredMaxBytes,omitempty"`
}

// ConsortiumStatus is what the operator observed about a Consortium.
type ConsortiumStatus struct {
	// ObservedGeneration is the metadata.generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are Ready, OrderersReady, ChannelCreated, MembersJoined and ContractRuntimeCommitted.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// ReadyOrderers is the number of orderer nodes that are ready and part of the channel's consenter set.
	// +optional
	ReadyOrderers int32 `json:"readyOrderers,omitempty"`

	// DesiredOrderers is spec.orderer.nodes as last acted on.
	// +optional
	DesiredOrderers int32 `json:"desiredOrderers,omitempty"`

	// Orderers summarises orderer readiness as READY/DESIRED, for example 3/3.
	// +optional
	Orderers string `json:"orderers,omitempty"`

	// JoinedMembers is the number of member hospitals whose peers have joined the channel.
	// +optional
	JoinedMembers int32 `json:"joinedMembers,omitempty"`

	// DesiredMembers is the number of spec.members.
	// +optional
	DesiredMembers int32 `json:"desiredMembers,omitempty"`

	// Members summarises membership as JOINED/DESIRED, for example 2/2.
	// +optional
	Members string `json:"members,omitempty"`

	// MemberStatuses say, per member hospital, whether it has joined and why not.
	// +optional
	// +listType=atomic
	MemberStatuses []ConsortiumMemberStatus `json:"memberStatuses,omitempty"`

	// OrdererEndpoints are the host:port addresses of the orderer nodes, as written in the channel configuration.
	// +optional
	// +listType=atomic
	OrdererEndpoints []string `json:"ordererEndpoints,omitempty"`

	// Height is the channel's block height on the orderers.
	// +optional
	Height int64 `json:"height,omitempty"`

	// ContractRuntime is the wasmcc chaincode definition committed on the channel.
	// +optional
	ContractRuntime *ChaincodeDefinitionStatus `json:"contractRuntime,omitempty"`
}

// ConsortiumMemberStatus is one member hospital as the consortium sees it.
type ConsortiumMemberStatus struct {
	// Name is the member Hospital's name, as listed in spec.members.
	Name string `json:"name"`

	// Namespace is the member Hospital's namespace.
	Namespace string `json:"namespace"`

	// MSPID is the member's MSP ID, once its Hospital was found.
	// +optional
	MSPID string `json:"mspID,omitempty"`

	// Joined says whether the member's peers have joined the channel.
	Joined bool `json:"joined"`

	// AnchorPeers are the member's anchor peers (host:port) in the channel configuration.
	// +optional
	// +listType=atomic
	AnchorPeers []string `json:"anchorPeers,omitempty"`

	// Reason is why the member has not joined, as a condition reason (for example NotAMember), when it has not.
	// +optional
	Reason string `json:"reason,omitempty"`
}

// ChaincodeDefinitionStatus is the chaincode definition of the contract runtime (wasmcc) on a channel.
type ChaincodeDefinitionStatus struct {
	// Name is the chaincode name.
	Name string `json:"name"`

	// Version is the chaincode definition's version.
	Version string `json:"version"`

	// Sequence is the chaincode definition's sequence number.
	Sequence int64 `json:"sequence"`

	// PackageID is the installed chaincode-as-a-service package's ID.
	// +optional
	PackageID string `json:"packageID,omitempty"`
}

// Consortium is a shared ledger between hospitals: an ordering service run by its own orderer organisation, one
// Fabric application channel, its member hospitals and the policies they agreed on. The operator runs the orderers,
// creates the channel, joins the members' peers, sets anchor peers and commits the contract runtime chaincode, so
// SmartContracts can be deployed to it.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=consortia,singular=consortium,shortName=cons,categories=medledger
// +kubebuilder:printcolumn:name="Channel",type=string,JSONPath=`.spec.channelName`
// +kubebuilder:printcolumn:name="Members",type=string,JSONPath=`.status.members`
// +kubebuilder:printcolumn:name="Orderers",type=string,JSONPath=`.status.orderers`
// +kubebuilder:printcolumn:name="Height",type=integer,JSONPath=`.status.height`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Consortium struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired channel and ordering service.
	Spec ConsortiumSpec `json:"spec"`

	// Status is what the operator observed.
	// +optional
	Status ConsortiumStatus `json:"status,omitempty"`
}

// ConsortiumList is a list of Consortia.
//
// +kubebuilder:object:root=true
type ConsortiumList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the Consortia.
	Items []Consortium `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Consortium{}, &ConsortiumList{})
}
