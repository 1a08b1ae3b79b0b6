package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/hospital"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// versions returns the resourceVersion of the Hospital and of every object labelled with its name.
func versions(t *testing.T, ns, name string) map[string]string {
	t.Helper()
	out := map[string]string{}
	h := &v1alpha1.Hospital{}
	if err := get(ns, name, h); err != nil {
		t.Fatal(err)
	}
	out["Hospital"] = h.ResourceVersion
	for _, list := range ownedLists() {
		if err := k8s.List(context.Background(), list, client.InNamespace(ns), client.MatchingLabels{hospital.LabelHospital: name}); err != nil {
			t.Fatal(err)
		}
		for _, o := range mustItems(t, list) {
			out[fmt.Sprintf("%T/%s", o, o.GetName())] = o.GetResourceVersion()
		}
	}
	return out
}

// TestHospitalReconciler_Idempotent reconciles an unchanged Hospital again and checks that nothing is written and
// that the next pass is scheduled for the certificates' renewal window, not sooner.
func TestHospitalReconciler_Idempotent(t *testing.T) {
	ns := namespace(t, "idem")
	create(t, newHospital(ns, "st-marys", withPeers(2)))
	h := reconciled(t, ns, "st-marys", steadyInEnvtest)
	before := versions(t, ns, "st-marys")
	if len(before) < 14 {
		t.Fatalf("only %d objects: %v", len(before), before)
	}
	for i := 0; i < 2; i++ {
		res, err := reconciler.Reconcile(context.Background(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: "st-marys"}})
		if err != nil {
			t.Fatalf("pass %d: %v", i, err)
		}
		wait := time.Until(h.Status.CertificateRenewalTime.Time)
		if res.RequeueAfter < wait-time.Minute || res.RequeueAfter > wait+time.Minute {
			t.Errorf("pass %d: requeue after %s, want about %s (the renewal window)", i, res.RequeueAfter, wait)
		}
	}
	after := versions(t, ns, "st-marys")
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s was written: resourceVersion %s → %s", k, v, after[k])
		}
	}
	if len(after) != len(before) {
		t.Errorf("objects %d → %d", len(before), len(after))
	}
}

func TestHospitalReconciler_InvalidSpec(t *testing.T) {
	ns := namespace(t, "invalid")
	name := "a" + strings.Repeat("b", hospital.MaxNameLength) // the API server accepts it; the operator cannot
	create(t, newHospital(ns, name))
	reconciled(t, ns, name, func(h *v1alpha1.Hospital) error {
		c := meta.FindStatusCondition(h.Status.Conditions, v1alpha1.ConditionReady)
		if c == nil || c.Reason != v1alpha1.ReasonInvalidSpec || !strings.Contains(c.Message, "at most 40 characters") {
			return fmt.Errorf("Ready %+v, want InvalidSpec naming the length", c)
		}
		return nil
	})
	if v := versions(t, ns, name); len(v) != 1 {
		t.Errorf("objects were created for an invalid Hospital: %v", v)
	}
}

func TestHospitalReconciler_CASecret(t *testing.T) {
	ns := namespace(t, "casecret")
	create(t, newHospital(ns, "st-marys", withCASecret("my-ca")))
	reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		return hasCondition(h, v1alpha1.HospitalIdentityReady, metav1.ConditionFalse, v1alpha1.ReasonReferenceNotFound)
	})
	// A Secret that holds only a certificate is refused with the missing key named.
	org, err := pki.NewOrg(pki.OrgConfig{MSPID: "StMarysMSP", Domain: "example.org"})
	if err != nil {
		t.Fatal(err)
	}
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "my-ca"}, Data: map[string][]byte{"ca.crt": org.SignCA.CertPEM()}}
	create(t, sec)
	h := reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		return hasCondition(h, v1alpha1.HospitalIdentityReady, metav1.ConditionFalse, v1alpha1.ReasonCASecretInvalid)
	})
	if c := meta.FindStatusCondition(h.Status.Conditions, v1alpha1.HospitalIdentityReady); !strings.Contains(c.Message, "Secret my-ca: ca.key is missing") {
		t.Errorf("message %q", c.Message)
	}
	if r := meta.FindStatusCondition(h.Status.Conditions, v1alpha1.ConditionReady); r.Reason != v1alpha1.ReasonCASecretInvalid {
		t.Errorf("Ready reason %q, want the identity's", r.Reason)
	}
	// With the key the controller issues from the user's CA, and never writes the Secret.
	key, _ := org.SignCA.KeyPEM()
	sec.Data["ca.key"] = key
	if err := k8s.Update(context.Background(), sec); err != nil {
		t.Fatal(err)
	}
	rv := sec.ResourceVersion
	reconciled(t, ns, "st-marys", steadyInEnvtest)
	var peers corev1.Secret
	if err := get(ns, "st-marys-peer-identities", &peers); err != nil {
		t.Fatal(err)
	}
	cert, _, _, _ := hospital.PeerIdentityKeys("st-marys-peer-0")
	c, err := pki.ParseCert(peers.Data[cert])
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckSignatureFrom(org.SignCA.Cert); err != nil {
		t.Errorf("peer certificate not issued by the user's CA: %v", err)
	}
	if err := get(ns, "my-ca", sec); err != nil || sec.ResourceVersion != rv {
		t.Errorf("the user's Secret was written (%v)", err)
	}
	if err := get(ns, "st-marys-ca", &corev1.Secret{}); err == nil {
		t.Error("a built-in CA was created although the Hospital names its own")
	}
}

// TestHospitalReconciler_LostCA deletes the built-in CA of a running hospital: the controller must not mint a
// new one (a new organisation to every channel) but say what is wrong.
func TestHospitalReconciler_LostCA(t *testing.T) {
	ns := namespace(t, "lostca")
	create(t, newHospital(ns, "st-marys"))
	reconciled(t, ns, "st-marys", steadyInEnvtest)
	var ca corev1.Secret
	if err := get(ns, "st-marys-ca", &ca); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Delete(context.Background(), &ca); err != nil {
		t.Fatal(err)
	}
	triggerReconcile(t, ns, "st-marys")
	reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		if err := hasCondition(h, v1alpha1.HospitalIdentityReady, metav1.ConditionFalse, v1alpha1.ReasonCASecretInvalid); err != nil {
			return err
		}
		if c := meta.FindStatusCondition(h.Status.Conditions, v1alpha1.HospitalIdentityReady); !strings.Contains(c.Message, "restore it from a backup") {
			return fmt.Errorf("message %q", c.Message)
		}
		return nil
	})
	if err := get(ns, "st-marys-ca", &ca); err == nil {
		t.Error("a new CA was created")
	}
	// A Hospital in trouble is looked at every ProblemRetry; remove it so later tests measure a quiet controller.
	if err := k8s.Delete(context.Background(), newHospital(ns, "st-marys")); err != nil {
		t.Fatal(err)
	}
}

// triggerReconcile deletes the Hospital's wasmcc PodDisruptionBudget: an owned object changing wakes the
// controller, as its renewal timer would.
func triggerReconcile(t *testing.T, ns, name string) {
	t.Helper()
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: hospital.WasmccName(name)}}
	if err := k8s.Delete(context.Background(), pdb); err != nil {
		t.Fatal(err)
	}
}

// TestHospitalReconciler_RenewCertificates moves the clock into the renewal window and checks that every peer
// gets a new certificate from the same CA and that the peers roll onto it. envtest has no StatefulSet
// controller or kubelet, so the test plays them: it creates the peer pod the StatefulSet would run, and later
// writes the StatefulSet's status and a restarted pod, as they would after the rollout.
func TestHospitalReconciler_RenewCertificates(t *testing.T) {
	defer clock.Reset()
	ns := namespace(t, "renew")
	create(t, newHospital(ns, "st-marys", withCertificates(2*time.Hour, 30*time.Minute)))
	h := reconciled(t, ns, "st-marys", steadyInEnvtest)
	firstExpiry := h.Status.CertificateExpiry.Time
	var caBefore corev1.Secret
	if err := get(ns, "st-marys-ca", &caBefore); err != nil {
		t.Fatal(err)
	}
	pod := peerPod(ns, "st-marys-peer-0", "1", "3.1.1")
	create(t, pod)

	clock.Advance(90*time.Minute + time.Second)
	triggerReconcile(t, ns, "st-marys")
	h = reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		if err := hasCondition(h, v1alpha1.HospitalIdentityReady, metav1.ConditionFalse, v1alpha1.ReasonCertificateRenewing); err != nil {
			return err
		}
		if c := meta.FindStatusCondition(h.Status.Conditions, v1alpha1.HospitalIdentityReady); !strings.Contains(c.Message, "st-marys-peer-0") {
			return fmt.Errorf("message %q does not name the pod still on the old certificates", c.Message)
		}
		return nil
	})
	if !h.Status.CertificateExpiry.After(firstExpiry.Add(80 * time.Minute)) {
		t.Errorf("expiry %s, want about 90 minutes after %s", h.Status.CertificateExpiry, firstExpiry)
	}
	var peers corev1.Secret
	var sts appsv1.StatefulSet
	if err := get(ns, "st-marys-peer-identities", &peers); err != nil {
		t.Fatal(err)
	}
	if err := get(ns, "st-marys-peer", &sts); err != nil {
		t.Fatal(err)
	}
	if peers.Annotations[hospital.AnnotationIdentityRevision] != "2" || sts.Spec.Template.Annotations[hospital.AnnotationIdentityRevision] != "2" {
		t.Errorf("revision: Secret %q, pod template %q; want 2 on both", peers.Annotations[hospital.AnnotationIdentityRevision], sts.Spec.Template.Annotations[hospital.AnnotationIdentityRevision])
	}
	var caAfter corev1.Secret
	if err := get(ns, "st-marys-ca", &caAfter); err != nil || caAfter.ResourceVersion != caBefore.ResourceVersion {
		t.Errorf("the CA changed during renewal (%v)", err)
	}

	// The StatefulSet controller and kubelet's part: the pod restarts with the new revision and is ready; the
	// StatefulSet reports the rollout done. wasmcc's Deployment reports its pod available.
	if err := k8s.Delete(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	pod = peerPod(ns, "st-marys-peer-0", "2", "3.1.1")
	create(t, pod)
	markPodReady(t, pod)
	markStatefulSetRolledOut(t, ns, "st-marys-peer")
	markDeploymentAvailable(t, ns, "st-marys-wasmcc")
	reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		for _, c := range []struct{ typ, reason string }{
			{v1alpha1.HospitalIdentityReady, v1alpha1.ReasonCAReady},
			{v1alpha1.HospitalPeersReady, v1alpha1.ReasonPeersAvailable},
			{v1alpha1.HospitalContractRuntimeReady, v1alpha1.ReasonRuntimeAvailable},
			{v1alpha1.ConditionReady, v1alpha1.ReasonReconciled},
		} {
			if err := hasCondition(h, c.typ, metav1.ConditionTrue, c.reason); err != nil {
				return err
			}
		}
		if h.Status.Peers != "1/1" || !h.Status.PeerEndpoints[0].Ready || h.Status.FabricVersion != "3.1.1" {
			return fmt.Errorf("peers %q endpoints %+v version %q", h.Status.Peers, h.Status.PeerEndpoints, h.Status.FabricVersion)
		}
		return nil
	})
	// Cleaned up before the clock goes back, so its future-dated certificates trouble no later test.
	if err := k8s.Delete(context.Background(), newHospital(ns, "st-marys")); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		if err := get(ns, "st-marys", &v1alpha1.Hospital{}); err == nil {
			return fmt.Errorf("Hospital still there")
		}
		return nil
	})
}

// peerPod is the pod the StatefulSet controller would create for a peer, with the template's identity revision.
func peerPod(ns, name, revision, version string) *corev1.Pod {
	labels := hospital.Labels("st-marys", hospital.ComponentPeer, "fabric-peer")
	labels[appsv1.StatefulSetPodNameLabel] = name
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels,
			Annotations: map[string]string{hospital.AnnotationIdentityRevision: revision}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "peer", Image: "hyperledger/fabric-peer:" + version}}},
	}
}

func markPodReady(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}}
	if err := k8s.Status().Update(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
}

func markStatefulSetRolledOut(t *testing.T, ns, name string) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		var s appsv1.StatefulSet
		if err := get(ns, name, &s); err != nil {
			return err
		}
		n := *s.Spec.Replicas
		s.Status = appsv1.StatefulSetStatus{ObservedGeneration: s.Generation, Replicas: n, ReadyReplicas: n, AvailableReplicas: n,
			CurrentReplicas: n, UpdatedReplicas: n, CurrentRevision: name + "-1", UpdateRevision: name + "-1"}
		return k8s.Status().Update(context.Background(), &s)
	})
}

func markDeploymentAvailable(t *testing.T, ns, name string) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		var d appsv1.Deployment
		if err := get(ns, name, &d); err != nil {
			return err
		}
		n := *d.Spec.Replicas
		d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: n, ReadyReplicas: n, AvailableReplicas: n, UpdatedReplicas: n}
		return k8s.Status().Update(context.Background(), &d)
	})
}
