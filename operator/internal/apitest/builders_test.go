package apitest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

// The smallest valid object of each kind; test cases change one thing in them.

func validHospital() *v1alpha1.Hospital {
	return &v1alpha1.Hospital{Spec: v1alpha1.HospitalSpec{MSPID: "Hospital1MSP"}}
}

func validConsortium() *v1alpha1.Consortium {
	return &v1alpha1.Consortium{Spec: v1alpha1.ConsortiumSpec{
		ChannelName: "care-network",
		Orderer:     v1alpha1.OrdererSpec{OrgMSPID: "CareNetOrdererMSP"},
		Members:     []v1alpha1.HospitalReference{{Name: "st-marys"}},
	}}
}

func validSmartContract() *v1alpha1.SmartContract {
	return &v1alpha1.SmartContract{Spec: v1alpha1.SmartContractSpec{
		ConsortiumRef: v1alpha1.ConsortiumReference{Name: "care-network"},
		ContractName:  "consent",
		Version:       "1.0.0",
		Source: v1alpha1.ContractSource{ConfigMap: &v1alpha1.ConfigMapModuleSource{
			Name: "consent-wasm", Key: "contract.wasm.gz", Compression: v1alpha1.CompressionGzip,
		}},
	}}
}

// digest is a well-formed SHA-256 (of the empty string).
const digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func ptr[T any](v T) *T { return &v }

func qty(s string) *resource.Quantity { return ptr(resource.MustParse(s)) }

func dur(d time.Duration) *metav1.Duration { return &metav1.Duration{Duration: d} }

// diff compares API values; quantities compare by value, not by how they were written.
func diff(want, got any) string {
	return cmp.Diff(want, got, cmp.Comparer(func(a, b resource.Quantity) bool { return a.Cmp(b) == 0 }))
}

func requireSpec(t *testing.T, want, got any) {
	t.Helper()
	if d := diff(want, got); d != "" {
		t.Fatalf("stored spec differs (-want +got):\n%s", d)
	}
}
