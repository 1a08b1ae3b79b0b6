package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MSPID is a Fabric membership service provider identifier, the name an organisation has in every channel
// configuration and policy, for example Hospital1MSP. It starts with a letter, then letters, digits, '.' or '-', up to
// 64 characters: the characters Fabric's policy parser accepts in a principal such as 'Hospital1MSP.peer'.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=64
// +kubebuilder:validation:XValidation:rule=`self.matches('^[A-Za-z][A-Za-z0-9.-]*$')`,message="must be a Fabric MSP ID: a letter, then letters, digits, '.' or '-' (for example Hospital1MSP)"
type MSPID string

// ChannelPolicy is a Fabric policy written as a channel configuration would hold it: either an implicit meta policy
// over the members' own policies ("MAJORITY Endorsement", "ANY Readers", "ALL Admins") or a signature policy over
// principals ("OR('Hospital1MSP.peer','Hospital2MSP.peer')", "OutOf(2,'A.peer','B.peer','C.peer')"). Every quoted
// principal must be 'MSPID.role' with role member, admin, client, peer or orderer; the nesting itself is checked
// by Fabric when the policy is used.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=1024
// +kubebuilder:validation:XValidation:rule=`self.matches('^(ANY|ALL|MAJORITY) [A-Z][A-Za-z]*$') || (self.matches("^(AND|OR|OutOf)[(]([^']|'[A-Za-z][A-Za-z0-9.-]*[.](member|admin|client|peer|orderer)')*[)]$") && self.contains("'"))`,message="must be a Fabric policy: an implicit meta rule such as 'MAJORITY Endorsement', or a signature policy such as OR('Hospital1MSP.peer','Hospital2MSP.peer')"
type ChannelPolicy string

// SignaturePolicy is a Fabric signature policy over principals, for example
// "AND('Hospital1MSP.peer','Hospital2MSP.peer')" or "OutOf(2,'A.peer','B.peer','C.peer')"; every quoted principal
// must be 'MSPID.role' with role member, admin, client, peer or orderer. Implicit meta rules
// ("MAJORITY Endorsement") are not accepted here because a per-contract policy is enforced as key-level endorsement,
// which Fabric only supports for signature policies.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=1024
// +kubebuilder:validation:XValidation:rule=`(self.matches("^(AND|OR|OutOf)[(]([^']|'[A-Za-z][A-Za-z0-9.-]*[.](member|admin|client|peer|orderer)')*[)]$") && self.contains("'"))`,message="must be a Fabric signature policy such as AND('Hospital1MSP.peer','Hospital2MSP.peer') or OutOf(2,'A.peer','B.peer','C.peer'); implicit meta rules are not allowed here"
type SignaturePolicy string

// ConsortiumReference names a Consortium, possibly in another namespace.
type ConsortiumReference struct {
	// Name is the Consortium's metadata.name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule=`self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')`,message="must be a Kubernetes object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
	Name string `json:"name"`

	// Namespace is the Consortium's namespace. Omitted, it is the namespace of the object that holds this reference.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule=`self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')`,message="must be a Kubernetes namespace name: lower-case letters, digits and '-', starting and ending with a letter or digit"
	Namespace string `json:"namespace,omitempty"`
}

// HospitalReference names a Hospital, possibly in another namespace.
type HospitalReference struct {
	// Name is the Hospital's metadata.name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule=`self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')`,message="must be a Kubernetes object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
	Name string `json:"name"`

	// Namespace is the Hospital's namespace. Omitted, it is the namespace of the object that holds this reference.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule=`self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')`,message="must be a Kubernetes namespace name: lower-case letters, digits and '-', starting and ending with a letter or digit"
	Namespace string `json:"namespace,omitempty"`
}

// FabricSpec chooses the Hyperledger Fabric release, and so the container image, a set of Fabric nodes runs.
//
// +kubebuilder:validation:XValidation:rule=`!has(self.version) || !has(oldSelf.version) || !self.version.matches('^[0-9]+[.][0-9]+[.][0-9]+$') || !oldSelf.version.matches('^[0-9]+[.][0-9]+[.][0-9]+$') || semver(self.version).compareTo(semver(oldSelf.version)) >= 0`,messageExpression=`'version cannot go down from ' + oldSelf.version + ' to ' + self.version + ': a Fabric ledger written by a newer release cannot be read by an older one'`
type FabricSpec struct {
	// Version is the Fabric release, MAJOR.MINOR.PATCH, 2.5.0 or later (the operator needs the channel
	// participation API and external chaincode builders). It is the image tag. Upgrades roll the nodes one at a
	// time; downgrades are refused.
	// +optional
	// +kubebuilder:default="3.1.1"
	// +kubebuilder:validation:XValidation:rule=`self.matches('^(2[.]([5-9]|[1-9][0-9]+)|([3-9]|[1-9][0-9]+)[.][0-9]+)[.][0-9]+$')`,message="must be a Fabric release MAJOR.MINOR.PATCH, 2.5.0 or later, for example 3.1.1"
	Version string `json:"version,omitempty"`

	// Image is the image repository without a tag, for example registry.example.org/fabric-peer. Empty means the
	// Hyperledger image for the node's role (hyperledger/fabric-peer or hyperledger/fabric-orderer).
	// +optional
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:XValidation:rule=`!self.contains('@') && !self.matches(':[^/]*$')`,message="must be an image repository without a tag or digest: the tag comes from version"
	Image string `json:"image,omitempty"`

	// ImagePullPolicy is the pull policy of the Fabric containers.
	// +optional
	// +kubebuilder:default=IfNotPresent
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
}

// StorageSpec sizes the persistent volume of each node of a StatefulSet. It cannot change after creation, because
// a StatefulSet's volume claim templates cannot: to grow a volume, resize its PersistentVolumeClaim directly.
type StorageSpec struct {
	// Size is the capacity requested for each node's volume, at least 1Gi.
	// +optional
	// +kubebuilder:default="10Gi"
	// +kubebuilder:validation:XValidation:rule=`isQuantity(string(self)) && quantity(string(self)).compareTo(quantity('1Gi')) >= 0`,message="must be at least 1Gi: a Fabric ledger outgrows less within days"
	Size *resource.Quantity `json:"size,omitempty"`

	// StorageClassName is the StorageClass of the volumes. Empty means the cluster's default StorageClass.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	StorageClassName *string `json:"storageClassName,omitempty"`
}

// IdentitySource says where an organisation's certificate authority comes from.
// +kubebuilder:validation:Enum=BuiltinCA;CertManager;Secret
type IdentitySource string

const (
	// IdentitySourceBuiltinCA makes the operator generate the organisation's CA key pair and keep it in a Secret.
	IdentitySourceBuiltinCA IdentitySource = "BuiltinCA"
	// IdentitySourceCertManager issues node certificates through a cert-manager Issuer or ClusterIssuer.
	IdentitySourceCertManager IdentitySource = "CertManager"
	// IdentitySourceSecret uses an existing CA key pair from a Secret the user manages.
	IdentitySourceSecret IdentitySource = "Secret"
)

// The rules below read an absent source as BuiltinCA, its default, because the API server also checks them against
// the "{}" defaults of the fields that hold an IdentitySpec, before nested defaults apply.

// IdentitySpec chooses the certificate authority that roots an organisation's MSP and how long the certificates
// it issues for nodes (signing and TLS) live. Certificates are renewed before they expire, without downtime.
//
// +kubebuilder:validation:XValidation:rule="has(self.certManager) == (has(self.source) && self.source == 'CertManager')",message="certManager must be set when, and only when, source is CertManager"
// +kubebuilder:validation:XValidation:rule="has(self.secret) == (has(self.source) && self.source == 'Secret')",message="secret must be set when, and only when, source is Secret"
// +kubebuilder:validation:XValidation:rule="(has(self.source) ? self.source : 'BuiltinCA') == (has(oldSelf.source) ? oldSelf.source : 'BuiltinCA')",message="source is immutable: the CA is the organisation's root of trust in every channel it has joined"
// +kubebuilder:validation:XValidation:rule=`!has(self.renewBefore) || !has(self.certificateDuration) || !self.renewBefore.matches('^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$') || !self.certificateDuration.matches('^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$') || duration(self.renewBefore) < duration(self.certificateDuration)`,messageExpression=`'renewBefore (' + self.renewBefore + ') must be shorter than certificateDuration (' + self.certificateDuration + ')'`
type IdentitySpec struct {
	// Source is where the CA comes from: BuiltinCA (the operator generates and stores it), CertManager (a
	// cert-manager issuer signs the node certificates) or Secret (an existing CA key pair). It cannot change
	// after creation.
	// +optional
	// +kubebuilder:default=BuiltinCA
	Source IdentitySource `json:"source,omitempty"`

	// CertManager names the cert-manager issuer. Required when source is CertManager, forbidden otherwise.
	// +optional
	CertManager *CertManagerIdentity `json:"certManager,omitempty"`

	// Secret names the Secret holding the CA. Required when source is Secret, forbidden otherwise.
	// +optional
	Secret *SecretIdentity `json:"secret,omitempty"`

	// CertificateDuration is the lifetime of node certificates, a Go duration such as 8760h (one year), at least 1h.
	// +optional
	// +kubebuilder:default="8760h"
	// +kubebuilder:validation:XValidation:rule=`self.matches('^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$') && duration(self) >= duration('1h')`,message="must be a duration such as 8760h or 90m (units h, m, s, ms, us, ns; no days), at least 1h"
	CertificateDuration *metav1.Duration `json:"certificateDuration,omitempty"`

	// RenewBefore is how long before expiry a node certificate is renewed, a Go duration such as 720h. It must be
	// shorter than certificateDuration. Empty means one third of certificateDuration.
	// +optional
	// +kubebuilder:validation:XValidation:rule=`self.matches('^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$') && duration(self) >= duration('1m')`,message="must be a duration such as 720h or 90m (units h, m, s, ms, us, ns; no days), at least 1m"
	RenewBefore *metav1.Duration `json:"renewBefore,omitempty"`
}

// CertManagerIdentity names the cert-manager issuer that signs an organisation's node certificates.
type CertManagerIdentity struct {
	// IssuerRef is the cert-manager Issuer (in the same namespace) or ClusterIssuer.
	IssuerRef IssuerReference `json:"issuerRef"`
}

// IssuerReference names a cert-manager issuer.
type IssuerReference struct {
	// Name is the issuer's metadata.name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// Kind is Issuer (namespaced, in the organisation's namespace) or ClusterIssuer.
	// +optional
	// +kubebuilder:default=Issuer
	// +kubebuilder:validation:Enum=Issuer;ClusterIssuer
	Kind string `json:"kind,omitempty"`

	// Group is the issuer's API group.
	// +optional
	// +kubebuilder:default="cert-manager.io"
	// +kubebuilder:validation:MaxLength=253
	Group string `json:"group,omitempty"`
}

// SecretIdentity names a Secret, in the organisation's namespace, that holds its CA: keys ca.crt and ca.key (PEM),
// and optionally tlsca.crt and tlsca.key for a separate TLS CA. The operator reads it and never writes it.
type SecretIdentity struct {
	// Name is the Secret's metadata.name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// ContractLimits bounds what one contract call may use. A field left empty takes the value from the hospital's
// contractRuntime.defaultLimits, and then the runtime's own default (runtime/abi/ABI.md, section Limits).
type ContractLimits struct {
	// Gas is the most gas one call may burn; the call traps with out-of-gas beyond it. Gas is counted by
	// instrumentation, never by timers, so every peer stops at the same instruction. Between 1 and 2^53-1.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self >= 1 && self <= 9007199254740991",message="must be between 1 and 9007199254740991 (2^53-1, the largest integer JSON carries exactly)"
	Gas *int64 `json:"gas,omitempty"`

	// MemoryPages is the most linear memory one instance may have, in 64 KiB WebAssembly pages (512 = 32 MiB).
	// A module declaring more initial memory is refused at deploy; memory.grow beyond it fails. Between 1 and 65536.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self >= 1 && self <= 65536",message="must be between 1 and 65536 pages of 64 KiB (65536 pages = 4 GiB, the WebAssembly 32-bit maximum)"
	MemoryPages *int32 `json:"memoryPages,omitempty"`
}
