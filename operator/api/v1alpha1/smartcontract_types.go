package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SHA256 is a SHA-256 digest in lower-case hex, 64 digits, as `sha256sum` prints it.
//
// +kubebuilder:validation:MinLength=64
// +kubebuilder:validation:MaxLength=64
// +kubebuilder:validation:XValidation:rule=`self.matches('^[a-f0-9]{64}$')`,message="must be a SHA-256 digest: 64 lower-case hex digits, as printed by sha256sum"
type SHA256 string

// SmartContractSpec is a WebAssembly contract to deploy to a consortium's ledger.
//
// +kubebuilder:validation:XValidation:rule="self.source == oldSelf.source || self.version != oldSelf.version",message="changing source needs a new version: code deployed under a version never changes on the ledger"
type SmartContractSpec struct {
	// ConsortiumRef is the Consortium whose channel the contract is deployed to. It cannot change after creation.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="is immutable: a contract's state lives on one ledger; create another SmartContract to deploy elsewhere"
	ConsortiumRef ConsortiumReference `json:"consortiumRef"`

	// ContractName is the name applications call the contract by, and the namespace of its keys on the ledger: a
	// lower-case letter, then lower-case letters, digits, '-' or '_', up to 64 characters. It must be unique within
	// the consortium and cannot change after creation.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule=`self.matches('^[a-z][a-z0-9_-]*$')`,message="must be a lower-case letter, then lower-case letters, digits, '-' or '_' (for example consent)"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="is immutable: it namespaces the contract's keys on the ledger; create another SmartContract for a new name"
	ContractName string `json:"contractName"`

	// Version is the contract's version, MAJOR.MINOR.PATCH with an optional leading v and pre-release suffix, for
	// example 1.2.0 or v2.0.0-rc.1. Deploying new code needs a new version.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule=`self.matches('^v?[0-9]+[.][0-9]+[.][0-9]+(-[0-9A-Za-z.-]+)?$')`,message="must be MAJOR.MINOR.PATCH with an optional leading v and -pre-release suffix, for example 1.2.0"
	Version string `json:"version"`

	// Source is where the operator fetches the module from: exactly one of configMap, url or oci.
	Source ContractSource `json:"source"`

	// Isolation is how calls are isolated from one another inside the runtime: Snapshot, Fresh or Pooled.
	// +optional
	// +kubebuilder:default=Snapshot
	Isolation IsolationMode `json:"isolation,omitempty"`

	// Limits bound each call. Empty fields take the hospital's contractRuntime.defaultLimits.
	// +optional
	Limits *ContractLimits `json:"limits,omitempty"`

	// EndorsementPolicy overrides the consortium's endorsement policy for this contract's calls, as a signature
	// policy such as AND('Hospital1MSP.peer','Hospital2MSP.peer'). Empty means the consortium's policy.
	// +optional
	EndorsementPolicy SignaturePolicy `json:"endorsementPolicy,omitempty"`
}

// IsolationMode is how a contract's calls are isolated from one another. None of them affects the ledger: every
// mode writes only what the call itself wrote. They differ in what a call can see of earlier calls' memory.
// +kubebuilder:validation:Enum=Snapshot;Fresh;Pooled
type IsolationMode string

const (
	// IsolationSnapshot (the default) starts every call from a clean copy of the instance's memory and globals
	// taken right after initialisation: as isolated as Fresh at a fraction of the cost.
	IsolationSnapshot IsolationMode = "Snapshot"
	// IsolationFresh starts every call in a new instance that runs its initialisation again: the strongest
	// isolation and the slowest.
	IsolationFresh IsolationMode = "Fresh"
	// IsolationPooled reuses instances without resetting memory: the fastest, but a contract's global variables
	// carry over between calls, which can make peers disagree. Only for contracts that keep no global state.
	IsolationPooled IsolationMode = "Pooled"
)

// ContractSource is where a module comes from. Exactly one field is set.
//
// +kubebuilder:validation:XValidation:rule="[has(self.configMap), has(self.url), has(self.oci)].filter(x, x).size() == 1",message="must set exactly one of configMap, url or oci"
type ContractSource struct {
	// ConfigMap reads the module from a key of a ConfigMap in the SmartContract's namespace.
	// +optional
	ConfigMap *ConfigMapModuleSource `json:"configMap,omitempty"`

	// URL downloads the module over HTTP(S) and checks it against a required SHA-256.
	// +optional
	URL *URLModuleSource `json:"url,omitempty"`

	// OCI pulls the module from an OCI registry as an artifact.
	// +optional
	OCI *OCIModuleSource `json:"oci,omitempty"`
}

// Compression is how a module is compressed in its source.
// +kubebuilder:validation:Enum=None;Gzip
type Compression string

const (
	// CompressionNone means the bytes are the module itself.
	CompressionNone Compression = "None"
	// CompressionGzip means the bytes are the module compressed with gzip.
	CompressionGzip Compression = "Gzip"
)

// ConfigMapModuleSource is a module held in a ConfigMap key. A ConfigMap holds at most 1 MiB and a Go-built module
// is about 2 MB, so such modules are stored gzip-compressed (`gzip -9 contract.wasm`, then
// `kubectl create configmap consent --from-file=contract.wasm.gz`).
type ConfigMapModuleSource struct {
	// Name is the ConfigMap's metadata.name, in the SmartContract's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// Key is the key in binaryData (or data) that holds the module.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule=`self.matches('^[-._a-zA-Z0-9]+$')`,message="must be a ConfigMap key: letters, digits, '-', '_' and '.'"
	Key string `json:"key"`

	// Compression is None or Gzip.
	// +optional
	// +kubebuilder:default=None
	Compression Compression `json:"compression,omitempty"`

	// SHA256 optionally pins the module: the SHA-256 of the uncompressed module. A module with another digest is
	// refused.
	// +optional
	SHA256 SHA256 `json:"sha256,omitempty"`
}

// URLModuleSource is a module downloaded over HTTP(S). The SHA-256 is required, because the URL's content can change.
type URLModuleSource struct {
	// URL is an absolute http:// or https:// URL of the uncompressed module.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHostname() != ''",message="must be an absolute http:// or https:// URL, for example https://artifacts.example.org/consent-1.0.0.wasm"
	URL string `json:"url"`

	// SHA256 is the SHA-256 of the module; a download with another digest is refused.
	SHA256 SHA256 `json:"sha256"`
}

// OCIModuleSource is a module stored as an OCI artifact, with the module as its single layer.
type OCIModuleSource struct {
	// Reference is the artifact's full reference, registry/repository with a tag or a digest, for example
	// ghcr.io/medledger/consent:1.0.0 or ghcr.io/medledger/consent@sha256:<64 hex digits>. A digest pins the code.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:XValidation:rule=`self.matches('^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$')`,message="must be registry/repository with a :tag or @sha256:<64 hex digits>, for example ghcr.io/medledger/consent:1.0.0"
	Reference string `json:"reference"`

	// PullSecretName is a kubernetes.io/dockerconfigjson Secret, in the SmartContract's namespace, with the
	// registry's credentials. Empty means anonymous.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	PullSecretName string `json:"pullSecretName,omitempty"`
}

// SmartContractPhase is a one-word summary of where a SmartContract is in its life; the conditions say more.
// +kubebuilder:validation:Enum=Pending;Fetching;Validating;Deploying;Deployed;Failed
type SmartContractPhase string

const (
	// PhasePending waits for the consortium to be ready.
	PhasePending SmartContractPhase = "Pending"
	// PhaseFetching fetches the module from its source.
	PhaseFetching SmartContractPhase = "Fetching"
	// PhaseValidating runs the runtime's deploy-time gate on the module.
	PhaseValidating SmartContractPhase = "Validating"
	// PhaseDeploying submits the deploy transaction and waits for it to commit.
	PhaseDeploying SmartContractPhase = "Deploying"
	// PhaseDeployed means spec.version is on the ledger and callable.
	PhaseDeployed SmartContractPhase = "Deployed"
	// PhaseFailed means a step failed in a way that needs a spec change; the Ready condition says which.
	PhaseFailed SmartContractPhase = "Failed"
)

// SmartContractStatus is what the operator observed about a SmartContract.
type SmartContractStatus struct {
	// ObservedGeneration is the metadata.generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are Ready, SourceAvailable, ModuleValid and Deployed.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Phase is Pending, Fetching, Validating, Deploying, Deployed or Failed.
	// +optional
	Phase SmartContractPhase `json:"phase,omitempty"`

	// Digest is the SHA-256 of the module as fetched (uncompressed), in lower-case hex: the key the code is
	// stored under on the ledger.
	// +optional
	Digest string `json:"digest,omitempty"`

	// ShortDigest is the first 12 hex digits of digest.
	// +optional
	ShortDigest string `json:"shortDigest,omitempty"`

	// SizeBytes is the uncompressed module's size.
	// +optional
	SizeBytes int64 `json:"sizeBytes,omitempty"`

	// ABIVersion is the host ABI version the module declares.
	// +optional
	ABIVersion int32 `json:"abiVersion,omitempty"`

	// Exports are the contract functions the module exports, sorted.
	// +optional
	// +listType=atomic
	Exports []string `json:"exports,omitempty"`

	// DeployedVersion is the spec.version currently on the ledger.
	// +optional
	DeployedVersion string `json:"deployedVersion,omitempty"`

	// DeployTxID is the Fabric transaction ID that deployed deployedVersion.
	// +optional
	DeployTxID string `json:"deployTxID,omitempty"`

	// DeployedBlock is the block number that committed the deploy transaction.
	// +optional
	DeployedBlock int64 `json:"deployedBlock,omitempty"`

	// DeployedAt is when the deploy transaction committed.
	// +optional
	DeployedAt *metav1.Time `json:"deployedAt,omitempty"`
}

// SmartContract is a WebAssembly contract (consent, drug traceability, health-plan rules, ...) deployed to a
// consortium's ledger. The operator fetches the module, checks it with the same gate the peers run, and submits a
// deploy transaction that the consortium's contract governance policy must endorse. The module is stored on the
// ledger by its SHA-256, so every peer runs byte-identical code.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=smc,categories=medledger
// +kubebuilder:printcolumn:name="Consortium",type=string,JSONPath=`.spec.consortiumRef.name`
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.spec.version`
// +kubebuilder:printcolumn:name="Digest",type=string,JSONPath=`.status.shortDigest`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type SmartContract struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the contract to deploy.
	Spec SmartContractSpec `json:"spec"`

	// Status is what the operator observed.
	// +optional
	Status SmartContractStatus `json:"status,omitempty"`
}

// SmartContractList is a list of SmartContracts.
//
// +kubebuilder:object:root=true
type SmartContractList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the SmartContracts.
	Items []SmartContract `json:"items"`
}

func init() {
	SchemeBuilder.Register(&SmartContract{}, &SmartContractList{})
}
