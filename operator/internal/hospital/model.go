package hospital

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/network"
)

// Options are the operator-wide settings that shape every hospital; the manager sets them from its flags.
type Options struct {
	// WasmccImage is the default wasmcc image (with tag or digest), used when a Hospital does not set
	// spec.contractRuntime.image. Required.
	WasmccImage string
	// ClusterDomain is the cluster's DNS suffix; default "cluster.local".
	ClusterDomain string
	// NetworkDomain is the base of the Fabric organisation domains; a hospital's is
	// "<name>.<namespace>.<NetworkDomain>" and its peers' certificate names "peer<i>.<that>". Default
	// "medledger.local".
	NetworkDomain string
}

// Defaults for Options and for Hospital fields the API server did not default (objects built in Go).
const (
	DefaultClusterDomain = "cluster.local"
	DefaultNetworkDomain = network.DefaultDomain
	DefaultFabricVersion = "3.1.1"
	DefaultPeerImage     = "hyperledger/fabric-peer"
	DefaultCertDuration  = 365 * 24 * time.Hour
	DefaultExternalPort  = 443
)

// DefaultStorageSize is each peer's ledger volume when spec.peers.storage.size is empty.
var DefaultStorageSize = resource.MustParse("10Gi")

func (o Options) withDefaults() Options {
	if o.ClusterDomain == "" {
		o.ClusterDomain = DefaultClusterDomain
	}
	if o.NetworkDomain == "" {
		o.NetworkDomain = DefaultNetworkDomain
	}
	return o
}

// Model is a Hospital with every default applied and every name resolved: the single input of the functions
// that build the desired objects. Build it with [Resolve].
type Model struct {
	// Name, Namespace and MSPID identify the hospital.
	Name, Namespace, MSPID string
	// Org is the Fabric organisation: its domain, peer host names (the certificates' common names) and admin.
	Org network.Org
	// Replicas is the number of peers.
	Replicas int32
	// FabricVersion is the peer image tag; PeerImage the image with that tag.
	FabricVersion, PeerImage string
	PullPolicy               corev1.PullPolicy
	StorageSize              resource.Quantity
	StorageClassName         *string
	PeerResources            corev1.ResourceRequirements

	// RuntimeReplicas, RuntimeImage, RuntimeResources and RuntimeLimits describe wasmcc.
	RuntimeReplicas  int32
	RuntimeImage     string
	RuntimeResources corev1.ResourceRequirements
	RuntimeLimits    v1alpha1.ContractLimits

	// External is set when the peers are published outside the cluster; Port and ServiceType are defaulted.
	External *v1alpha1.ExternalEndpointSpec

	// IdentitySource says where the CA comes from; CertDuration is the node certificates' lifetime and
	// RenewBefore how long before expiry they are replaced.
	IdentitySource v1alpha1.IdentitySource
	CertDuration   time.Duration
	RenewBefore    time.Duration
	CertManager    *v1alpha1.CertManagerIdentity
	CASecret       string // the user's CA Secret, for source Secret

	// DeleteData says a deletion also removes ledger volumes and the built-in CA (AnnotationOnDelete).
	DeleteData bool

	Opts Options
}

var dns1035Label = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)

// Resolve applies the defaults to h and checks what the API server's schema cannot: that the name leaves room
// for derived names and that the organisation is valid for Fabric.
//
// # Errors
//   - the name is not a lower-case DNS label starting with a letter, or is longer than MaxNameLength;
//   - the MSP ID is not a valid Fabric MSP ID;
//   - renewBefore is not shorter than certificateDuration;
//   - neither spec.contractRuntime.image nor Options.WasmccImage names a wasmcc image;
//   - replicas are outside 1..16 (API-server validation normally refuses them first).
//
// Every error names the field at fault; the controller shows it in the InvalidSpec condition.
func Resolve(h *v1alpha1.Hospital, opts Options) (*Model, error) {
	opts = opts.withDefaults()
	s := h.Spec
	var errs []error
	if len(h.Name) > MaxNameLength || !dns1035Label.MatchString(h.Name) {
		errs = append(errs, fmt.Errorf("metadata.name %q must be a lower-case DNS label starting with a letter, at most %d characters (objects named after it must stay valid names)", h.Name, MaxNameLength))
	}
	m := &Model{
		Name: h.Name, Namespace: h.Namespace, MSPID: string(s.MSPID),
		Replicas:         deref(s.Peers.Replicas, 1),
		FabricVersion:    orDefault(s.Fabric.Version, DefaultFabricVersion),
		PullPolicy:       corev1.PullPolicy(orDefault(string(s.Fabric.ImagePullPolicy), string(corev1.PullIfNotPresent))),
		StorageSize:      DefaultStorageSize,
		StorageClassName: s.Peers.Storage.StorageClassName,
		PeerResources:    s.Peers.Resources,
		RuntimeReplicas:  deref(s.ContractRuntime.Replicas, 1),
		RuntimeImage:     orDefault(s.ContractRuntime.Image, opts.WasmccImage),
		RuntimeResources: s.ContractRuntime.Resources,
		RuntimeLimits:    s.ContractRuntime.DefaultLimits,
		IdentitySource:   v1alpha1.IdentitySource(orDefault(string(s.Identity.Source), string(v1alpha1.IdentitySourceBuiltinCA))),
		CertDuration:     DefaultCertDuration,
		CertManager:      s.Identity.CertManager,
		DeleteData:       h.Annotations[AnnotationOnDelete] == OnDeleteDelete,
		Opts:             opts,
	}
	m.PeerImage = orDefault(s.Fabric.Image, DefaultPeerImage) + ":" + m.FabricVersion
	if s.Peers.Storage.Size != nil {
		m.StorageSize = *s.Peers.Storage.Size
	}
	if s.Identity.Secret != nil {
		m.CASecret = s.Identity.Secret.Name
	}
	if d := s.Identity.CertificateDuration; d != nil {
		m.CertDuration = d.Duration
	}
	m.RenewBefore = m.CertDuration / 3
	if d := s.Identity.RenewBefore; d != nil {
		m.RenewBefore = d.Duration
	}
	if m.RenewBefore <= 0 || m.RenewBefore >= m.CertDuration {
		errs = append(errs, fmt.Errorf("spec.identity.renewBefore (%s) must be positive and shorter than certificateDuration (%s)", m.RenewBefore, m.CertDuration))
	}
	if m.Replicas < 1 || m.Replicas > 16 {
		errs = append(errs, fmt.Errorf("spec.peers.replicas must be between 1 and 16, got %d", m.Replicas))
	}
	if m.RuntimeReplicas < 1 {
		errs = append(errs, fmt.Errorf("spec.contractRuntime.replicas must be at least 1, got %d", m.RuntimeReplicas))
	}
	if m.RuntimeImage == "" {
		errs = append(errs, errors.New("spec.contractRuntime.image is empty and the operator has no default wasmcc image (--wasmcc-image)"))
	}
	if s.External != nil {
		ext := *s.External
		if ext.Port == nil {
			ext.Port = ptr[int32](DefaultExternalPort)
		}
		if ext.ServiceType == "" {
			ext.ServiceType = "LoadBalancer"
		}
		m.External = &ext
	}
	if len(errs) == 0 { // the organisation's names are built from a valid hospital name only
		org, err := network.Hospital{Name: h.Name, MSPID: m.MSPID, Peers: int(m.Replicas)}.Org(h.Namespace + "." + opts.NetworkDomain)
		if err != nil {
			errs = append(errs, fmt.Errorf("spec.mspID: %w", err))
		}
		m.Org = org
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// PeerAddress returns peer i's in-cluster gRPC endpoint, through the headless Service:
// "<pod>.<name>-peers.<namespace>.svc.<cluster domain>:7051".
func (m *Model) PeerAddress(i int) string {
	return fmt.Sprintf("%s:%d", m.peerHost(PeerPodName(m.Name, i)), PeerPort)
}

func (m *Model) peerHost(pod string) string {
	return pod + "." + PeerHeadlessServiceName(m.Name) + "." + m.Namespace + ".svc." + m.Opts.ClusterDomain
}

// PeerExternalAddress returns peer i's advertised address outside the cluster, or "" without spec.external.
func (m *Model) PeerExternalAddress(i int) string {
	if m.External == nil {
		return ""
	}
	return fmt.Sprintf("%s.%s:%d", PeerPodName(m.Name, i), m.External.Domain, *m.External.Port)
}

// WasmccAddress returns the in-cluster endpoint of wasmcc's Service, which the peers dial.
func (m *Model) WasmccAddress() string {
	return fmt.Sprintf("%s.%s.svc.%s:%d", WasmccName(m.Name), m.Namespace, m.Opts.ClusterDomain, WasmccPort)
}

// PeerDNSNames returns the names peer i's TLS certificate must be valid for, besides its Fabric host name: its
// pod DNS name, the client Service's names, and its external name when published.
func (m *Model) PeerDNSNames(i int) []string {
	pod := PeerPodName(m.Name, i)
	svc := PeerServiceName(m.Name)
	names := []string{
		m.peerHost(pod),
		pod + "." + PeerHeadlessServiceName(m.Name) + "." + m.Namespace + ".svc",
		svc + "." + m.Namespace + ".svc." + m.Opts.ClusterDomain,
		svc + "." + m.Namespace + ".svc",
		svc,
	}
	if m.External != nil {
		names = append(names, pod+"."+m.External.Domain)
	}
	return names
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func ptr[T any](v T) *T { return &v }
