package controller

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

// testLogger shows the controller's errors (and only those) in test output.
func testLogger() logr.Logger {
	return logr.FromSlogHandler(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

type hospitalMod func(*v1alpha1.Hospital)

// newHospital builds a Hospital in namespace ns with the given name and the smallest valid spec, then applies mods.
func newHospital(ns, name string, mods ...hospitalMod) *v1alpha1.Hospital {
	h := &v1alpha1.Hospital{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       v1alpha1.HospitalSpec{MSPID: v1alpha1.MSPID(mspID(name))},
	}
	for _, mod := range mods {
		mod(h)
	}
	return h
}

// mspID derives a valid MSP ID from a hospital name: "st-marys" → "StMarysMSP".
func mspID(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String() + "MSP"
}

func withPeers(n int32) hospitalMod { return func(h *v1alpha1.Hospital) { h.Spec.Peers.Replicas = &n } }
func withExternal(domain string) hospitalMod {
	return func(h *v1alpha1.Hospital) { h.Spec.External = &v1alpha1.ExternalEndpointSpec{Domain: domain} }
}
func withCertificates(duration, renewBefore time.Duration) hospitalMod {
	return func(h *v1alpha1.Hospital) {
		h.Spec.Identity.CertificateDuration = &metav1.Duration{Duration: duration}
		h.Spec.Identity.RenewBefore = &metav1.Duration{Duration: renewBefore}
	}
}
func withCASecret(name string) hospitalMod {
	return func(h *v1alpha1.Hospital) {
		h.Spec.Identity.Source = v1alpha1.IdentitySourceSecret
		h.Spec.Identity.Secret = &v1alpha1.SecretIdentity{Name: name}
	}
}
func withConsortia(names ...string) hospitalMod {
	return func(h *v1alpha1.Hospital) {
		for _, n := range names {
			h.Spec.Consortia = append(h.Spec.Consortia, v1alpha1.ConsortiumReference{Name: n})
		}
	}
}
func withAnnotations(kv ...string) hospitalMod {
	return func(h *v1alpha1.Hospital) {
		h.Annotations = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Annotations[kv[i]] = kv[i+1]
		}
	}
}
func withFinalizers(f ...string) hospitalMod {
	return func(h *v1alpha1.Hospital) { h.Finalizers = append(h.Finalizers, f...) }
}

// create creates obj or fails the test.
func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8s.Create(context.Background(), obj); err != nil {
		t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
	}
}

// eventually polls check until it returns nil, failing the test with the last error after timeout.
func eventually(t *testing.T, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// get reads an object by name into obj.
func get(ns, name string, obj client.Object) error {
	return k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, obj)
}

// reconciled waits until the controller has acted on the Hospital's latest generation and check passes on it.
func reconciled(t *testing.T, ns, name string, check func(h *v1alpha1.Hospital) error) *v1alpha1.Hospital {
	t.Helper()
	h := &v1alpha1.Hospital{}
	eventually(t, 60*time.Second, func() error {
		if err := get(ns, name, h); err != nil {
			return err
		}
		if h.Status.ObservedGeneration != h.Generation {
			return fmt.Errorf("observedGeneration %d, generation %d; conditions %v", h.Status.ObservedGeneration, h.Generation, conditions(h))
		}
		if check != nil {
			return check(h)
		}
		return nil
	})
	return h
}

// hasCondition returns an error unless the Hospital's condition typ has the given status and reason.
func hasCondition(h *v1alpha1.Hospital, typ string, status metav1.ConditionStatus, reason string) error {
	c := meta.FindStatusCondition(h.Status.Conditions, typ)
	if c == nil {
		return fmt.Errorf("no %s condition; have %v", typ, conditions(h))
	}
	if c.Status != status || c.Reason != reason {
		return fmt.Errorf("%s is %s/%s (%s), want %s/%s", typ, c.Status, c.Reason, c.Message, status, reason)
	}
	if c.ObservedGeneration != h.Generation {
		return fmt.Errorf("%s describes generation %d, want %d", typ, c.ObservedGeneration, h.Generation)
	}
	return nil
}

func conditions(h *v1alpha1.Hospital) []string {
	var out []string
	for _, c := range h.Status.Conditions {
		out = append(out, fmt.Sprintf("%s=%s/%s", c.Type, c.Status, c.Reason))
	}
	return out
}

// update re-reads the Hospital, applies mod and writes it, retrying on conflicts.
func update(t *testing.T, ns, name string, mod hospitalMod) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		h := &v1alpha1.Hospital{}
		if err := get(ns, name, h); err != nil {
			return err
		}
		mod(h)
		return k8s.Update(context.Background(), h)
	})
}
