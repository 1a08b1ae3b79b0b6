package contract

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

// smartContract builds a SmartContract with modifiers, in the style of cert-manager's test builders.
func smartContract(ns, name string, mods ...func(*v1alpha1.SmartContract)) *v1alpha1.SmartContract {
	sc := &v1alpha1.SmartContract{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(ns + "/" + name), Generation: 1,
			CreationTimestamp: metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))},
		Spec: v1alpha1.SmartContractSpec{ConsortiumRef: v1alpha1.ConsortiumReference{Name: "carenet"}, ContractName: "consent", Version: "1.0.0"},
	}
	for _, m := range mods {
		m(sc)
	}
	return sc
}

func createdAt(min int) func(*v1alpha1.SmartContract) {
	return func(sc *v1alpha1.SmartContract) {
		sc.CreationTimestamp = metav1.NewTime(time.Date(2026, 1, 1, 0, min, 0, 0, time.UTC))
	}
}

func contractName(n string) func(*v1alpha1.SmartContract) {
	return func(sc *v1alpha1.SmartContract) { sc.Spec.ContractName = n }
}

func consortiumRef(ns, name string) func(*v1alpha1.SmartContract) {
	return func(sc *v1alpha1.SmartContract) {
		sc.Spec.ConsortiumRef = v1alpha1.ConsortiumReference{Namespace: ns, Name: name}
	}
}

func TestCheckNameConflict(t *testing.T) {
	me := smartContract("a", "consent-v1", createdAt(5))
	tests := []struct {
		name     string
		others   []v1alpha1.SmartContract
		conflict string // the other object's ns/name, "" for none
	}{
		{"alone", []v1alpha1.SmartContract{*me}, ""},
		{"other contract name", []v1alpha1.SmartContract{*me, *smartContract("a", "trace", createdAt(1), contractName("trace"))}, ""},
		{"other consortium", []v1alpha1.SmartContract{*me, *smartContract("a", "x", createdAt(1), consortiumRef("", "other"))}, ""},
		{"same name but newer", []v1alpha1.SmartContract{*me, *smartContract("a", "x", createdAt(9))}, ""},
		{"same name, older", []v1alpha1.SmartContract{*me, *smartContract("a", "x", createdAt(1))}, "a/x"},
		{"same consortium from another namespace, older", []v1alpha1.SmartContract{*me, *smartContract("b", "x", createdAt(1), consortiumRef("a", "carenet"))}, "b/x"},
		{"same instant, name breaks the tie", []v1alpha1.SmartContract{*me, *smartContract("a", "aaa", createdAt(5))}, "a/aaa"},
		{"older one is being deleted", []v1alpha1.SmartContract{*me, *smartContract("a", "x", createdAt(1), func(sc *v1alpha1.SmartContract) {
			now := metav1.Now()
			sc.DeletionTimestamp = &now
		})}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := CheckNameConflict(me, tt.others)
			switch {
			case tt.conflict == "" && f != nil:
				t.Fatalf("unexpected conflict: %v", f)
			case tt.conflict != "" && (f == nil || f.Reason != v1alpha1.ReasonContractNameConflict || f.Retry || !strings.Contains(f.Message, tt.conflict)):
				t.Fatalf("got %+v, want ContractNameConflict naming %s", f, tt.conflict)
			}
		})
	}
}

func consortium(mods ...func(*v1alpha1.Consortium)) *v1alpha1.Consortium {
	c := &v1alpha1.Consortium{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "carenet"}}
	for _, m := range mods {
		m(c)
	}
	return c
}

func runtimeCommitted(ok bool, msg string) func(*v1alpha1.Consortium) {
	return func(c *v1alpha1.Consortium) {
		s := metav1.ConditionFalse
		if ok {
			s = metav1.ConditionTrue
			c.Status.ContractRuntime = &v1alpha1.ChaincodeDefinitionStatus{Name: "wasmcc", Version: "1", Sequence: 1, PackageID: "wasmcc:abc"}
		}
		c.Status.Conditions = append(c.Status.Conditions, metav1.Condition{Type: v1alpha1.ConsortiumContractRuntimeCommitted, Status: s, Reason: "x", Message: msg})
	}
}

func TestCheckConsortium(t *testing.T) {
	sc := smartContract("a", "consent")
	tests := []struct {
		name       string
		c          *v1alpha1.Consortium
		reason     string
		msgContain string
	}{
		{"ready", consortium(runtimeCommitted(true, "")), "", ""},
		{"missing", nil, v1alpha1.ReasonReferenceNotFound, `Consortium "carenet" not found`},
		{"no conditions yet", consortium(), v1alpha1.ReasonConsortiumNotReady, "not committed"},
		{"approval pending", consortium(runtimeCommitted(false, "waiting for Hospital2MSP")), v1alpha1.ReasonConsortiumNotReady, "waiting for Hospital2MSP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := CheckConsortium(sc, tt.c)
			switch {
			case tt.reason == "" && f != nil:
				t.Fatalf("unexpected failure: %v", f)
			case tt.reason != "" && (f == nil || f.Reason != tt.reason || !f.Retry || !strings.Contains(f.Message, tt.msgContain)):
				t.Fatalf("got %+v, want %s (retry) containing %q", f, tt.reason, tt.msgContain)
			}
		})
	}
}

func TestConsortiumKey(t *testing.T) {
	if ns, n := ConsortiumKey(smartContract("a", "x")); ns != "a" || n != "carenet" {
		t.Fatalf("default namespace: got %s/%s", ns, n)
	}
	if ns, n := ConsortiumKey(smartContract("a", "x", consortiumRef("shared", "net"))); ns != "shared" || n != "net" {
		t.Fatalf("explicit namespace: got %s/%s", ns, n)
	}
}
