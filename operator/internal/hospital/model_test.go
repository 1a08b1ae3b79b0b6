package hospital

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestResolve(t *testing.T) {
	tests := []struct {
		name  string
		mods  []hospitalMod
		check func(t *testing.T, m *Model)
	}{
		{"defaults", nil, func(t *testing.T, m *Model) {
			if m.Replicas != 1 || m.RuntimeReplicas != 1 {
				t.Errorf("replicas: peers %d, wasmcc %d, want 1 and 1", m.Replicas, m.RuntimeReplicas)
			}
			if m.PeerImage != "hyperledger/fabric-peer:3.1.1" || m.FabricVersion != "3.1.1" {
				t.Errorf("peer image %q version %q", m.PeerImage, m.FabricVersion)
			}
			if m.PullPolicy != corev1.PullIfNotPresent {
				t.Errorf("pull policy %q", m.PullPolicy)
			}
			if m.StorageSize.Cmp(resource.MustParse("10Gi")) != 0 {
				t.Errorf("storage %s, want 10Gi", m.StorageSize.String())
			}
			if m.CertDuration != 8760*time.Hour || m.RenewBefore != 8760*time.Hour/3 {
				t.Errorf("certificates: duration %s, renew before %s", m.CertDuration, m.RenewBefore)
			}
			if m.RuntimeImage != testOpts.WasmccImage {
				t.Errorf("wasmcc image %q, want the operator's default", m.RuntimeImage)
			}
			if m.Org.Domain != "st-marys.care.medledger.local" || m.Org.Nodes[0].Host != "peer0.st-marys.care.medledger.local" {
				t.Errorf("organisation domain %q, peer host %q", m.Org.Domain, m.Org.Nodes[0].Host)
			}
			if m.IdentitySource != "BuiltinCA" || m.External != nil || m.DeleteData {
				t.Errorf("source %q, external %v, delete data %v", m.IdentitySource, m.External, m.DeleteData)
			}
			if got := m.PeerAddress(1); got != "st-marys-peer-1.st-marys-peers.care.svc.cluster.local:7051" {
				t.Errorf("peer address %q", got)
			}
			if got := m.WasmccAddress(); got != "st-marys-wasmcc.care.svc.cluster.local:9999" {
				t.Errorf("wasmcc address %q", got)
			}
		}},
		{"everything set", []hospitalMod{
			withPeers(3), withRuntimeReplicas(2), withFabric("registry.example.org/fabric-peer", "2.5.9"),
			withStorage("50Gi", "fast"), withCertificates(48*time.Hour, 12*time.Hour), withExternal("fabric.example.org"),
			withAnnotation(AnnotationOnDelete, OnDeleteDelete),
		}, func(t *testing.T, m *Model) {
			if m.Replicas != 3 || m.RuntimeReplicas != 2 || len(m.Org.Nodes) != 3 {
				t.Errorf("replicas %d/%d, nodes %d", m.Replicas, m.RuntimeReplicas, len(m.Org.Nodes))
			}
			if m.PeerImage != "registry.example.org/fabric-peer:2.5.9" {
				t.Errorf("peer image %q", m.PeerImage)
			}
			if m.StorageSize.String() != "50Gi" || *m.StorageClassName != "fast" {
				t.Errorf("storage %s class %v", m.StorageSize.String(), m.StorageClassName)
			}
			if m.CertDuration != 48*time.Hour || m.RenewBefore != 12*time.Hour {
				t.Errorf("certificates %s/%s", m.CertDuration, m.RenewBefore)
			}
			if m.External == nil || *m.External.Port != 443 || m.External.ServiceType != "LoadBalancer" {
				t.Errorf("external %+v", m.External)
			}
			if got := m.PeerExternalAddress(2); got != "st-marys-peer-2.fabric.example.org:443" {
				t.Errorf("external address %q", got)
			}
			if !m.DeleteData {
				t.Error("on-delete annotation ignored")
			}
		}},
		{"other cluster domain", nil, func(t *testing.T, m *Model) {
			m2, err := Resolve(hospital(), Options{WasmccImage: "w:1", ClusterDomain: "k8s.example", NetworkDomain: "fabric.example"})
			if err != nil {
				t.Fatal(err)
			}
			if m2.PeerAddress(0) != "st-marys-peer-0.st-marys-peers.care.svc.k8s.example:7051" || m2.Org.Domain != "st-marys.care.fabric.example" {
				t.Errorf("address %q domain %q", m2.PeerAddress(0), m2.Org.Domain)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, model(t, tt.mods...)) })
	}
}

func TestResolve_Errors(t *testing.T) {
	tests := []struct {
		name string
		mods []hospitalMod
		opts *Options
		want string
	}{
		{"name too long", []hospitalMod{withName(strings.Repeat("a", MaxNameLength+1))}, nil, "at most 40 characters"},
		{"name with a dot", []hospitalMod{withName("st.marys")}, nil, `metadata.name "st.marys" must be a lower-case DNS label`},
		{"name starting with a digit", []hospitalMod{withName("1st")}, nil, "starting with a letter"},
		{"bad MSP ID", []hospitalMod{withMSPID("St Marys")}, nil, "spec.mspID"},
		{"renewBefore too long", []hospitalMod{withCertificates(time.Hour, 2*time.Hour)}, nil, "renewBefore (2h0m0s) must be positive and shorter than certificateDuration (1h0m0s)"},
		{"no peers", []hospitalMod{withPeers(0)}, nil, "spec.peers.replicas must be between 1 and 16, got 0"},
		{"no wasmcc image", nil, &Options{}, "no default wasmcc image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOpts
			if tt.opts != nil {
				opts = *tt.opts
			}
			m, err := Resolve(hospital(tt.mods...), opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Resolve: got %v, want an error containing %q", err, tt.want)
			}
			if m != nil {
				t.Errorf("Resolve returned a model with its error")
			}
		})
	}
}
