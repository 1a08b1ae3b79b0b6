package hospital

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// testOpts are the manager options the tests run with.
var testOpts = Options{WasmccImage: "ghcr.io/medledger/wasmcc:test"}

// epoch is the tests' "now": certificates are dated from it, so results do not depend on the wall clock.
var epoch = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

type hospitalMod func(*v1alpha1.Hospital)

// hospital builds the smallest valid Hospital "st-marys" in namespace "care", then applies mods.
func hospital(mods ...hospitalMod) *v1alpha1.Hospital {
	h := &v1alpha1.Hospital{
		ObjectMeta: metav1.ObjectMeta{Name: "st-marys", Namespace: "care"},
		Spec:       v1alpha1.HospitalSpec{MSPID: "StMarysMSP"},
	}
	for _, mod := range mods {
		mod(h)
	}
	return h
}

func withName(n string) hospitalMod { return func(h *v1alpha1.Hospital) { h.Name = n } }
func withMSPID(id string) hospitalMod {
	return func(h *v1alpha1.Hospital) { h.Spec.MSPID = v1alpha1.MSPID(id) }
}
func withPeers(n int32) hospitalMod { return func(h *v1alpha1.Hospital) { h.Spec.Peers.Replicas = &n } }
func withRuntimeReplicas(n int32) hospitalMod {
	return func(h *v1alpha1.Hospital) { h.Spec.ContractRuntime.Replicas = &n }
}
func withExternal(domain string) hospitalMod {
	return func(h *v1alpha1.Hospital) { h.Spec.External = &v1alpha1.ExternalEndpointSpec{Domain: domain} }
}
func withCertificates(duration, renewBefore time.Duration) hospitalMod {
	return func(h *v1alpha1.Hospital) {
		h.Spec.Identity.CertificateDuration = &metav1.Duration{Duration: duration}
		if renewBefore != 0 {
			h.Spec.Identity.RenewBefore = &metav1.Duration{Duration: renewBefore}
		}
	}
}
func withAnnotation(k, v string) hospitalMod {
	return func(h *v1alpha1.Hospital) { h.Annotations = map[string]string{k: v} }
}
func withFabric(image, version string) hospitalMod {
	return func(h *v1alpha1.Hospital) { h.Spec.Fabric.Image, h.Spec.Fabric.Version = image, version }
}
func withStorage(size, class string) hospitalMod {
	return func(h *v1alpha1.Hospital) {
		q := resource.MustParse(size)
		h.Spec.Peers.Storage = v1alpha1.StorageSpec{Size: &q, StorageClassName: &class}
	}
}
func withPeerResources(cpu, mem string) hospitalMod {
	return func(h *v1alpha1.Hospital) {
		h.Spec.Peers.Resources = corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem),
		}}
	}
}

// model resolves a Hospital built from mods or fails the test.
func model(t testing.TB, mods ...hospitalMod) *Model {
	t.Helper()
	m, err := Resolve(hospital(mods...), testOpts)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return m
}

// newCA creates a built-in CA for m dated at epoch.
func newCA(t testing.TB, m *Model) *pki.Org {
	t.Helper()
	ca, err := NewCA(m, epoch)
	if err != nil {
		t.Fatalf("NewCA: %v", err)
	}
	return ca
}

// issued plans a fresh identity for m at epoch.
func issued(t testing.TB, m *Model) *Identity {
	t.Helper()
	id, _, err := PlanIdentity(m, newCA(t, m), nil, epoch)
	if err != nil {
		t.Fatalf("PlanIdentity: %v", err)
	}
	return id
}

func envValue(env []corev1.EnvVar, name string) (string, bool) {
	for _, e := range env {
		if e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}
