package apitest

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

type consortium = *v1alpha1.Consortium

const (
	msgChannelPolicy = "must be a Fabric policy: an implicit meta rule such as 'MAJORITY Endorsement', or a signature policy such as OR('Hospital1MSP.peer','Hospital2MSP.peer')"
	msgChannelName   = "must be a Fabric channel name: a lower-case letter, then lower-case letters, digits, '.' or '-' (for example care-network)"
	msgNodes         = "must be between 1 and 15"
	msgTimeout       = "must be a duration such as 2s or 250ms, between 10ms and 60s"
	msgAbsoluteMax   = "must be above 0 and below 100Mi, the orderers' gRPC message limit"
	msgMaxMessages   = "must be between 1 and 10000"
)

var consortiumCreateRefusals = []refusal[consortium]{
	refuse("channel name with capitals", func(c consortium) { c.Spec.ChannelName = "CareNetwork" },
		"spec.channelName", msgChannelName),
	refuse("channel name starting with a digit", func(c consortium) { c.Spec.ChannelName = "1care" },
		"spec.channelName", msgChannelName),
	refuse("channel name with an underscore", func(c consortium) { c.Spec.ChannelName = "care_network" },
		"spec.channelName", msgChannelName),
	refuse("orderer MSP ID with a space", func(c consortium) { c.Spec.Orderer.OrgMSPID = "Care Orderer" },
		"spec.orderer.orgMSPID", msgMSPID),
	refuse("no orderers", func(c consortium) { c.Spec.Orderer.Nodes = ptr[int32](0) }, "spec.orderer.nodes", msgNodes),
	refuse("too many orderers", func(c consortium) { c.Spec.Orderer.Nodes = ptr[int32](16) },
		"spec.orderer.nodes", msgNodes),
	refuse("BFT with 3 nodes", func(c consortium) {
		c.Spec.Orderer.Consensus = v1alpha1.ConsensusBFT
		c.Spec.Orderer.Nodes = ptr[int32](3)
	}, "spec.orderer", "nodes must be at least 4 for BFT consensus: 3f+1 nodes tolerate f faulty ones"),
	refuse("BFT on Fabric 2.5", func(c consortium) {
		c.Spec.Orderer.Consensus = v1alpha1.ConsensusBFT
		c.Spec.Orderer.Nodes = ptr[int32](4)
		c.Spec.Orderer.Fabric.Version = "2.5.9"
	}, "spec.orderer", "BFT consensus needs Fabric 3.0.0 or later in fabric.version"),
	refuse("orderer fabric version before 2.5", func(c consortium) { c.Spec.Orderer.Fabric.Version = "2.2.15" },
		"spec.orderer.fabric.version", msgFabricVer),
	refuse("orderer image with a tag", func(c consortium) { c.Spec.Orderer.Fabric.Image = "hyperledger/fabric-orderer:3.1.1" },
		"spec.orderer.fabric.image", msgFabricImage),
	refuse("orderer storage under 1Gi", func(c consortium) { c.Spec.Orderer.Storage.Size = qty("100Mi") },
		"spec.orderer.storage.size", msgStorageSize),
	refuse("orderer CertManager source without issuer", func(c consortium) {
		c.Spec.Orderer.Identity.Source = v1alpha1.IdentitySourceCertManager
	}, "spec.orderer.identity", msgCertManager),
	refuse("orderer Secret source without secret", func(c consortium) {
		c.Spec.Orderer.Identity.Source = v1alpha1.IdentitySourceSecret
	}, "spec.orderer.identity", msgSecret),
	refuseRaw[consortium]("orderer certificate duration in weeks", "spec.orderer.identity.certificateDuration", "52w",
		"spec.orderer.identity.certificateDuration", msgCertDuration),
	refuseRaw[consortium]("orderer renewBefore in days", "spec.orderer.identity.renewBefore", "30d",
		"spec.orderer.identity.renewBefore", msgRenewBefore),
	refuse("orderer renewBefore equal to the certificate's life", func(c consortium) {
		c.Spec.Orderer.Identity.CertificateDuration = dur(24 * time.Hour)
		c.Spec.Orderer.Identity.RenewBefore = dur(24 * time.Hour)
	}, "spec.orderer.identity", "renewBefore (24h0m0s) must be shorter than certificateDuration (24h0m0s)"),
	refuse("same member twice", func(c consortium) {
		c.Spec.Members = []v1alpha1.HospitalReference{{Name: "st-marys"}, {Name: "st-marys"}}
	}, "spec.members", "must not list the same hospital twice"),
	refuse("member name with a slash", func(c consortium) {
		c.Spec.Members = []v1alpha1.HospitalReference{{Name: "st-marys"}, {Name: "hospitals/city"}}
	}, "spec.members[1].name", msgObjectName),
	refuse("member namespace with a dot", func(c consortium) {
		c.Spec.Members = []v1alpha1.HospitalReference{{Name: "st-marys", Namespace: "north.region"}}
	}, "spec.members[0].namespace", msgNamespace),
	refuse("endorsement rule without a policy name", func(c consortium) { c.Spec.Policies.Endorsement = "MAJORITY" },
		"spec.policies.endorsement", msgChannelPolicy),
	refuse("endorsement rule in lower case", func(c consortium) { c.Spec.Policies.Endorsement = "majority Endorsement" },
		"spec.policies.endorsement", msgChannelPolicy),
	refuse("signature policy without quotes", func(c consortium) {
		c.Spec.Policies.Endorsement = "OR(Hospital1MSP.peer, Hospital2MSP.peer)"
	}, "spec.policies.endorsement", msgChannelPolicy),
	refuse("governance principal with an unknown role", func(c consortium) {
		c.Spec.Policies.ContractGovernance = "AND('Hospital1MSP.nurse','Hospital2MSP.peer')"
	}, "spec.policies.contractGovernance", msgChannelPolicy),
	refuse("batch timeout under 10ms", func(c consortium) { c.Spec.Batch.Timeout = dur(5 * time.Millisecond) },
		"spec.batch.timeout", msgTimeout),
	refuse("batch timeout over 60s", func(c consortium) { c.Spec.Batch.Timeout = dur(2 * time.Minute) },
		"spec.batch.timeout", msgTimeout),
	refuseRaw[consortium]("batch timeout in words", "spec.batch.timeout", "2 seconds",
		"spec.batch.timeout", msgTimeout),
	refuse("no messages per block", func(c consortium) { c.Spec.Batch.MaxMessageCount = ptr[int32](0) },
		"spec.batch.maxMessageCount", msgMaxMessages),
	refuse("too many messages per block", func(c consortium) { c.Spec.Batch.MaxMessageCount = ptr[int32](10001) },
		"spec.batch.maxMessageCount", msgMaxMessages),
	refuse("absolute block size 0", func(c consortium) { c.Spec.Batch.AbsoluteMaxBytes = qty("0") },
		"spec.batch.absoluteMaxBytes", msgAbsoluteMax),
	refuse("absolute block size at the gRPC limit", func(c consortium) { c.Spec.Batch.AbsoluteMaxBytes = qty("100Mi") },
		"spec.batch.absoluteMaxBytes", msgAbsoluteMax),
	refuse("preferred block size 0", func(c consortium) { c.Spec.Batch.PreferredMaxBytes = qty("0") }, "spec.batch.preferredMaxBytes",
		"must be a size above 0, for example 2Mi"),
	refuse("preferred block size above the absolute one", func(c consortium) {
		c.Spec.Batch.AbsoluteMaxBytes = qty("1Mi")
		c.Spec.Batch.PreferredMaxBytes = qty("2Mi")
	}, "spec.batch", "preferredMaxBytes must not exceed absoluteMaxBytes"),
}

var consortiumUpdateRefusals = []refusal[consortium]{
	refuse("channel renamed", func(c consortium) { c.Spec.ChannelName = "care-network-2" }, "spec.channelName",
		"is immutable: a channel cannot be renamed; create a new Consortium instead"),
	refuse("orderer MSP ID changed", func(c consortium) { c.Spec.Orderer.OrgMSPID = "OtherOrdererMSP" }, "spec.orderer.orgMSPID",
		"is immutable: it names the orderer organisation in the channel configuration"),
	refuse("consensus changed", func(c consortium) {
		c.Spec.Orderer.Consensus = v1alpha1.ConsensusBFT
		c.Spec.Orderer.Nodes = ptr[int32](4)
	}, "spec.orderer.consensus", "is immutable: Fabric cannot migrate a running channel between etcdraft and BFT"),
	refuse("orderer storage class changed", func(c consortium) { c.Spec.Orderer.Storage.StorageClassName = ptr("fast") },
		"spec.orderer.storage", msgStorageImmut),
	refuse("orderer identity source changed", func(c consortium) {
		c.Spec.Orderer.Identity.Source = v1alpha1.IdentitySourceCertManager
		c.Spec.Orderer.Identity.CertManager = &v1alpha1.CertManagerIdentity{IssuerRef: v1alpha1.IssuerReference{Name: "ca"}}
	}, "spec.orderer.identity", msgSourceImmut),
	refuse("orderer fabric downgraded", func(c consortium) { c.Spec.Orderer.Fabric.Version = "3.0.0" }, "spec.orderer.fabric",
		"version cannot go down from 3.1.1 to 3.0.0: a Fabric ledger written by a newer release cannot be read by an older one"),
}

func TestConsortium_Create_Errors(t *testing.T) {
	checkCreateRefused(t, namespace(t, "consortium-create-errors"), validConsortium, consortiumCreateRefusals)
}

func TestConsortium_Update_Errors(t *testing.T) {
	checkUpdateRefused(t, namespace(t, "consortium-update-errors"), validConsortium, consortiumUpdateRefusals)
}

func TestConsortium_Create(t *testing.T) {
	checkCreateAccepted(t, namespace(t, "consortium-create"), validConsortium, []change[consortium]{
		{"minimal consortium gets every default", func(consortium) {}, func(t *testing.T, c consortium) {
			requireSpec(t, v1alpha1.ConsortiumSpec{
				ChannelName: "care-network",
				Orderer: v1alpha1.OrdererSpec{
					OrgMSPID:  "CareNetOrdererMSP",
					Consensus: v1alpha1.ConsensusEtcdRaft,
					Nodes:     ptr[int32](3),
					Fabric:    v1alpha1.FabricSpec{Version: "3.1.1", ImagePullPolicy: corev1.PullIfNotPresent},
					Identity: v1alpha1.IdentitySpec{
						Source:              v1alpha1.IdentitySourceBuiltinCA,
						CertificateDuration: dur(8760 * time.Hour),
					},
					Storage: v1alpha1.StorageSpec{Size: qty("10Gi")},
				},
				Members: []v1alpha1.HospitalReference{{Name: "st-marys"}},
				Policies: v1alpha1.ConsortiumPolicies{
					Endorsement:        "MAJORITY Endorsement",
					ContractGovernance: "MAJORITY Endorsement",
				},
				Batch: v1alpha1.BatchSpec{
					Timeout:           dur(2 * time.Second),
					MaxMessageCount:   ptr[int32](500),
					AbsoluteMaxBytes:  qty("10Mi"),
					PreferredMaxBytes: qty("2Mi"),
				},
			}, c.Spec)
		}},
		{"BFT with 4 nodes on Fabric 3", func(c consortium) {
			c.Spec.Orderer.Consensus = v1alpha1.ConsensusBFT
			c.Spec.Orderer.Nodes = ptr[int32](4)
		}, nil},
		{"signature policies", func(c consortium) {
			c.Spec.Policies.Endorsement = "OutOf(2,'A.peer','B.peer','C.peer')"
			c.Spec.Policies.ContractGovernance = "AND('Hospital1MSP.admin', OR('Hospital2MSP.admin','Hospital3MSP.admin'))"
		}, nil},
		{"other implicit meta rules", func(c consortium) {
			c.Spec.Policies.Endorsement = "ANY Endorsement"
			c.Spec.Policies.ContractGovernance = "ALL Admins"
		}, nil},
		{"bounds are inclusive", func(c consortium) {
			c.Spec.ChannelName = "a"
			c.Spec.Orderer.Nodes = ptr[int32](15)
			c.Spec.Orderer.Storage.Size = qty("1Gi")
			c.Spec.Batch = v1alpha1.BatchSpec{
				Timeout:           dur(10 * time.Millisecond),
				MaxMessageCount:   ptr[int32](10000),
				AbsoluteMaxBytes:  qty("99Mi"),
				PreferredMaxBytes: qty("99Mi"),
			}
		}, nil},
		{"longest timeout, one message", func(c consortium) {
			c.Spec.Batch = v1alpha1.BatchSpec{Timeout: dur(time.Minute), MaxMessageCount: ptr[int32](1)}
		}, nil},
		{"members across namespaces", func(c consortium) {
			c.Spec.Members = []v1alpha1.HospitalReference{{Name: "st-marys"}, {Name: "st-marys", Namespace: "north"}, {Name: "city.general"}}
		}, nil},
	})
}

func TestConsortium_Update(t *testing.T) {
	checkUpdateAccepted(t, namespace(t, "consortium-update"), validConsortium, []change[consortium]{
		{"add a member", func(c consortium) {
			c.Spec.Members = append(c.Spec.Members, v1alpha1.HospitalReference{Name: "city-general"})
		}, nil},
		{"scale the orderers", func(c consortium) { c.Spec.Orderer.Nodes = ptr[int32](5) }, nil},
		{"upgrade the orderers", func(c consortium) { c.Spec.Orderer.Fabric.Version = "3.2.0" }, nil},
		{"tune batching", func(c consortium) {
			c.Spec.Batch.Timeout = dur(250 * time.Millisecond)
			c.Spec.Batch.MaxMessageCount = ptr[int32](100)
		}, nil},
		{"tighten governance", func(c consortium) { c.Spec.Policies.ContractGovernance = "ALL Endorsement" }, nil},
	})
}
