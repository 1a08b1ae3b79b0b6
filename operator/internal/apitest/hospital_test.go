package apitest

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

type hospital = *v1alpha1.Hospital

const (
	msgMSPID        = "must be a Fabric MSP ID: a letter, then letters, digits, '.' or '-' (for example Hospital1MSP)"
	msgFabricVer    = "must be a Fabric release MAJOR.MINOR.PATCH, 2.5.0 or later, for example 3.1.1"
	msgFabricImage  = "must be an image repository without a tag or digest: the tag comes from version"
	msgStorageSize  = "must be at least 1Gi: a Fabric ledger outgrows less within days"
	msgStorageImmut = "is immutable: StatefulSet volume claim templates cannot change; resize the PersistentVolumeClaims directly"
	msgCertManager  = "certManager must be set when, and only when, source is CertManager"
	msgSecret       = "secret must be set when, and only when, source is Secret"
	msgSourceImmut  = "source is immutable: the CA is the organisation's root of trust in every channel it has joined"
	msgCertDuration = "must be a duration such as 8760h or 90m (units h, m, s, ms, us, ns; no days), at least 1h"
	msgRenewBefore  = "must be a duration such as 720h or 90m (units h, m, s, ms, us, ns; no days), at least 1m"
	msgGas          = "must be between 1 and 9007199254740991 (2^53-1, the largest integer JSON carries exactly)"
	msgMemoryPages  = "must be between 1 and 65536 pages of 64 KiB (65536 pages = 4 GiB, the WebAssembly 32-bit maximum)"
	msgObjectName   = "must be a Kubernetes object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
	msgNamespace    = "must be a Kubernetes namespace name: lower-case letters, digits and '-', starting and ending with a letter or digit"
)

var hospitalCreateRefusals = []refusal[hospital]{
	refuse("mspID starting with a digit", func(h hospital) { h.Spec.MSPID = "1HospitalMSP" }, "spec.mspID", msgMSPID),
	refuse("mspID with an underscore", func(h hospital) { h.Spec.MSPID = "Hospital_1MSP" }, "spec.mspID", msgMSPID),
	refuse("fabric version before 2.5", func(h hospital) { h.Spec.Fabric.Version = "2.4.9" },
		"spec.fabric.version", msgFabricVer),
	refuse("fabric version not a release", func(h hospital) { h.Spec.Fabric.Version = "latest" },
		"spec.fabric.version", msgFabricVer),
	refuse("fabric image with a tag", func(h hospital) { h.Spec.Fabric.Image = "hyperledger/fabric-peer:3.1.1" },
		"spec.fabric.image", msgFabricImage),
	refuse("fabric image with a digest", func(h hospital) { h.Spec.Fabric.Image = "hyperledger/fabric-peer@sha256:" + digest },
		"spec.fabric.image", msgFabricImage),
	refuse("no peers", func(h hospital) { h.Spec.Peers.Replicas = ptr[int32](0) },
		"spec.peers.replicas", "must be between 1 and 16"),
	refuse("too many peers", func(h hospital) { h.Spec.Peers.Replicas = ptr[int32](17) },
		"spec.peers.replicas", "must be between 1 and 16"),
	refuse("peer storage under 1Gi", func(h hospital) { h.Spec.Peers.Storage.Size = qty("512Mi") },
		"spec.peers.storage.size", msgStorageSize),
	refuse("CertManager source without issuer", func(h hospital) { h.Spec.Identity.Source = v1alpha1.IdentitySourceCertManager },
		"spec.identity", msgCertManager),
	refuse("issuer with BuiltinCA source", func(h hospital) {
		h.Spec.Identity.CertManager = &v1alpha1.CertManagerIdentity{IssuerRef: v1alpha1.IssuerReference{Name: "ca"}}
	}, "spec.identity", msgCertManager),
	refuse("Secret source without secret", func(h hospital) { h.Spec.Identity.Source = v1alpha1.IdentitySourceSecret },
		"spec.identity", msgSecret),
	refuse("secret with BuiltinCA source", func(h hospital) { h.Spec.Identity.Secret = &v1alpha1.SecretIdentity{Name: "ca"} },
		"spec.identity", msgSecret),
	refuseRaw[hospital]("certificate duration in days", "spec.identity.certificateDuration", "365d",
		"spec.identity.certificateDuration", msgCertDuration),
	refuseRaw[hospital]("peer storage under 1Gi as a plain number", "spec.peers.storage.size", int64(1000),
		"spec.peers.storage.size", msgStorageSize),
	refuse("certificate duration under 1h", func(h hospital) { h.Spec.Identity.CertificateDuration = dur(30 * time.Minute) },
		"spec.identity.certificateDuration", msgCertDuration),
	refuse("renewBefore under 1m", func(h hospital) { h.Spec.Identity.RenewBefore = dur(10 * time.Second) },
		"spec.identity.renewBefore", msgRenewBefore),
	refuse("renewBefore beyond the certificate's life", func(h hospital) { h.Spec.Identity.RenewBefore = dur(9000 * time.Hour) }, "spec.identity",
		"renewBefore (9000h0m0s) must be shorter than certificateDuration (8760h)"),
	refuse("no contract runtime", func(h hospital) { h.Spec.ContractRuntime.Replicas = ptr[int32](0) },
		"spec.contractRuntime.replicas", "must be between 1 and 10"),
	refuse("too many contract runtimes", func(h hospital) { h.Spec.ContractRuntime.Replicas = ptr[int32](11) },
		"spec.contractRuntime.replicas", "must be between 1 and 10"),
	refuse("zero gas", func(h hospital) { h.Spec.ContractRuntime.DefaultLimits.Gas = ptr[int64](0) },
		"spec.contractRuntime.defaultLimits.gas", msgGas),
	refuse("gas past 2^53-1", func(h hospital) { h.Spec.ContractRuntime.DefaultLimits.Gas = ptr[int64](1 << 53) },
		"spec.contractRuntime.defaultLimits.gas", msgGas),
	refuse("zero memory pages", func(h hospital) { h.Spec.ContractRuntime.DefaultLimits.MemoryPages = ptr[int32](0) },
		"spec.contractRuntime.defaultLimits.memoryPages", msgMemoryPages),
	refuse("memory pages past 4 GiB", func(h hospital) { h.Spec.ContractRuntime.DefaultLimits.MemoryPages = ptr[int32](65537) },
		"spec.contractRuntime.defaultLimits.memoryPages", msgMemoryPages),
	refuse("same consortium twice", func(h hospital) {
		h.Spec.Consortia = []v1alpha1.ConsortiumReference{{Name: "care"}, {Name: "research"}, {Name: "care"}}
	}, "spec.consortia", "must not list the same consortium twice"),
	refuse("same consortium twice, with namespace", func(h hospital) {
		h.Spec.Consortia = []v1alpha1.ConsortiumReference{{Name: "care", Namespace: "shared"}, {Name: "care", Namespace: "shared"}}
	}, "spec.consortia", "must not list the same consortium twice"),
	refuse("consortium name with capitals", func(h hospital) {
		h.Spec.Consortia = []v1alpha1.ConsortiumReference{{Name: "Care_Network"}}
	}, "spec.consortia[0].name", msgObjectName),
	refuse("consortium namespace with a leading dash", func(h hospital) {
		h.Spec.Consortia = []v1alpha1.ConsortiumReference{{Name: "care", Namespace: "-shared"}}
	}, "spec.consortia[0].namespace", msgNamespace),
	refuse("external domain of one label", func(h hospital) { h.Spec.External = &v1alpha1.ExternalEndpointSpec{Domain: "localhost"} }, "spec.external.domain",
		"must be a lower-case DNS name with at least two labels, for example fabric.hospital-a.example.org"),
	refuse("external domain with capitals", func(h hospital) { h.Spec.External = &v1alpha1.ExternalEndpointSpec{Domain: "Fabric.Example.org"} }, "spec.external.domain",
		"must be a lower-case DNS name with at least two labels, for example fabric.hospital-a.example.org"),
	refuse("external port 0", func(h hospital) {
		h.Spec.External = &v1alpha1.ExternalEndpointSpec{Domain: "fabric.example.org", Port: ptr[int32](0)}
	}, "spec.external.port", "must be between 1 and 65535"),
	refuse("external port past 65535", func(h hospital) {
		h.Spec.External = &v1alpha1.ExternalEndpointSpec{Domain: "fabric.example.org", Port: ptr[int32](70000)}
	}, "spec.external.port", "must be between 1 and 65535"),
}

var hospitalUpdateRefusals = []refusal[hospital]{
	refuse("mspID changed", func(h hospital) { h.Spec.MSPID = "Hospital2MSP" }, "spec.mspID",
		"is immutable: it names the organisation in every channel and policy; create a new Hospital instead"),
	refuse("storage size changed", func(h hospital) { h.Spec.Peers.Storage.Size = qty("20Gi") },
		"spec.peers.storage", msgStorageImmut),
	refuse("storage class set", func(h hospital) { h.Spec.Peers.Storage.StorageClassName = ptr("fast") },
		"spec.peers.storage", msgStorageImmut),
	refuse("identity source changed", func(h hospital) {
		h.Spec.Identity.Source = v1alpha1.IdentitySourceSecret
		h.Spec.Identity.Secret = &v1alpha1.SecretIdentity{Name: "ca"}
	}, "spec.identity", msgSourceImmut),
	refuse("fabric downgraded", func(h hospital) { h.Spec.Fabric.Version = "2.5.9" }, "spec.fabric",
		"version cannot go down from 3.1.1 to 2.5.9: a Fabric ledger written by a newer release cannot be read by an older one"),
}

func TestHospital_Create_Errors(t *testing.T) {
	checkCreateRefused(t, namespace(t, "hospital-create-errors"), validHospital, hospitalCreateRefusals)
}

func TestHospital_Update_Errors(t *testing.T) {
	checkUpdateRefused(t, namespace(t, "hospital-update-errors"), validHospital, hospitalUpdateRefusals)
}

func TestHospital_Create(t *testing.T) {
	checkCreateAccepted(t, namespace(t, "hospital-create"), validHospital, []change[hospital]{
		{"minimal hospital gets every default", func(hospital) {}, func(t *testing.T, h hospital) {
			requireSpec(t, v1alpha1.HospitalSpec{
				MSPID:  "Hospital1MSP",
				Fabric: v1alpha1.FabricSpec{Version: "3.1.1", ImagePullPolicy: corev1.PullIfNotPresent},
				Peers: v1alpha1.PeerSetSpec{
					Replicas: ptr[int32](1),
					Storage:  v1alpha1.StorageSpec{Size: qty("10Gi")},
				},
				Identity: v1alpha1.IdentitySpec{
					Source:              v1alpha1.IdentitySourceBuiltinCA,
					CertificateDuration: dur(8760 * time.Hour),
				},
				ContractRuntime: v1alpha1.ContractRuntimeSpec{Replicas: ptr[int32](1)},
			}, h.Spec)
		}},
		{"cert-manager ClusterIssuer gets its group", func(h hospital) {
			h.Spec.Identity.Source = v1alpha1.IdentitySourceCertManager
			h.Spec.Identity.CertManager = &v1alpha1.CertManagerIdentity{IssuerRef: v1alpha1.IssuerReference{Name: "ca", Kind: "ClusterIssuer"}}
		}, func(t *testing.T, h hospital) {
			requireSpec(t, v1alpha1.IssuerReference{Name: "ca", Kind: "ClusterIssuer", Group: "cert-manager.io"}, h.Spec.Identity.CertManager.IssuerRef)
		}},
		{"existing CA secret", func(h hospital) {
			h.Spec.Identity.Source = v1alpha1.IdentitySourceSecret
			h.Spec.Identity.Secret = &v1alpha1.SecretIdentity{Name: "hospital1-ca"}
		}, nil},
		{"external endpoint gets port and service type", func(h hospital) {
			h.Spec.External = &v1alpha1.ExternalEndpointSpec{Domain: "fabric.hospital-a.example.org"}
		}, func(t *testing.T, h hospital) {
			requireSpec(t, &v1alpha1.ExternalEndpointSpec{Domain: "fabric.hospital-a.example.org", Port: ptr[int32](443), ServiceType: "LoadBalancer"}, h.Spec.External)
		}},
		{"bounds are inclusive", func(h hospital) {
			h.Spec.MSPID = "St.Marys-Hospital.MSP"
			h.Spec.Fabric = v1alpha1.FabricSpec{Version: "2.5.0", Image: "registry.example.org:5000/fabric/peer"}
			h.Spec.Peers.Replicas = ptr[int32](16)
			h.Spec.Peers.Storage.Size = qty("1Gi")
			h.Spec.ContractRuntime.Replicas = ptr[int32](10)
			h.Spec.ContractRuntime.DefaultLimits = v1alpha1.ContractLimits{Gas: ptr[int64](1<<53 - 1), MemoryPages: ptr[int32](65536)}
			h.Spec.Identity.CertificateDuration = dur(time.Hour)
			h.Spec.Identity.RenewBefore = dur(time.Minute)
			h.Spec.External = &v1alpha1.ExternalEndpointSpec{Domain: "a.b", Port: ptr[int32](65535), ServiceType: "NodePort"}
			h.Spec.Consortia = []v1alpha1.ConsortiumReference{{Name: "care"}, {Name: "care", Namespace: "other"}}
		}, nil},
	})
}

func TestHospital_Update(t *testing.T) {
	checkUpdateAccepted(t, namespace(t, "hospital-update"), validHospital, []change[hospital]{
		{"scale peers", func(h hospital) { h.Spec.Peers.Replicas = ptr[int32](3) }, nil},
		{"upgrade fabric", func(h hospital) { h.Spec.Fabric.Version = "3.10.0" }, nil},
		{"join a consortium", func(h hospital) { h.Spec.Consortia = []v1alpha1.ConsortiumReference{{Name: "care"}} }, nil},
		{"shorten certificates", func(h hospital) {
			h.Spec.Identity.CertificateDuration = dur(720 * time.Hour)
			h.Spec.Identity.RenewBefore = dur(240 * time.Hour)
		}, nil},
		{"publish outside the cluster", func(h hospital) { h.Spec.External = &v1alpha1.ExternalEndpointSpec{Domain: "fabric.example.org"} }, nil},
	})
}
