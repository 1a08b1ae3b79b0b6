package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/hospital"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// steadyInEnvtest checks the conditions a Hospital reaches without a kubelet. IdentityReady and ChannelsJoined
// can be True; PeersReady and ContractRuntimeReady cannot, because envtest runs neither the StatefulSet and
// Deployment controllers (which would report progress in the workloads' status) nor a kubelet (which would run
// the pods): they stay False with reason Progressing, and so does Ready.
func steadyInEnvtest(h *v1alpha1.Hospital) error {
	for _, c := range []struct {
		typ    string
		status metav1.ConditionStatus
		reason string
	}{
		{v1alpha1.HospitalIdentityReady, metav1.ConditionTrue, v1alpha1.ReasonCAReady},
		{v1alpha1.HospitalChannelsJoined, metav1.ConditionTrue, v1alpha1.ReasonChannelsJoined},
		{v1alpha1.HospitalPeersReady, metav1.ConditionFalse, v1alpha1.ReasonProgressing},
		{v1alpha1.HospitalContractRuntimeReady, metav1.ConditionFalse, v1alpha1.ReasonProgressing},
		{v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonProgressing},
	} {
		if err := hasCondition(h, c.typ, c.status, c.reason); err != nil {
			return err
		}
	}
	return nil
}

func ownedBy(t *testing.T, o client.Object, h *v1alpha1.Hospital) {
	t.Helper()
	if !metav1.IsControlledBy(o, h) {
		t.Errorf("%T %s is not controlled by the Hospital: %v", o, o.GetName(), o.GetOwnerReferences())
	}
}

func TestHospitalReconciler_Create(t *testing.T) {
	ns := namespace(t, "create")
	create(t, newHospital(ns, "st-marys", withPeers(2), withExternal("fabric.example.org")))
	h := reconciled(t, ns, "st-marys", steadyInEnvtest)

	if len(h.Finalizers) != 1 || h.Finalizers[0] != HospitalFinalizer {
		t.Errorf("finalizers %v", h.Finalizers)
	}
	st := h.Status
	if st.DesiredPeers != 2 || st.ReadyPeers != 0 || st.Peers != "0/2" || len(st.PeerEndpoints) != 2 {
		t.Errorf("peer status %d/%d %q endpoints %v", st.ReadyPeers, st.DesiredPeers, st.Peers, st.PeerEndpoints)
	}
	if e := st.PeerEndpoints[1]; e.Address != "st-marys-peer-1.st-marys-peers."+ns+".svc.cluster.local:7051" ||
		e.ExternalAddress != "st-marys-peer-1.fabric.example.org:443" || e.Ready {
		t.Errorf("endpoint %+v", e)
	}
	if st.ContractRuntimeEndpoint != "st-marys-wasmcc."+ns+".svc.cluster.local:9999" || st.CACertificateSecret != "st-marys-ca-certs" {
		t.Errorf("runtime endpoint %q, CA Secret %q", st.ContractRuntimeEndpoint, st.CACertificateSecret)
	}
	if st.CertificateExpiry == nil || time.Until(st.CertificateExpiry.Time) < 364*24*time.Hour {
		t.Errorf("certificate expiry %v, want a year from now", st.CertificateExpiry)
	}
	if st.CertificateRenewalTime == nil || !st.CertificateRenewalTime.Time.Equal(st.CertificateExpiry.Add(-8760*time.Hour/3)) {
		t.Errorf("renewal time %v, want a third of a year before expiry", st.CertificateRenewalTime)
	}

	// Identity: the CA (not owned, so it outlives the Hospital), the public MSP, the peers' and the admin's.
	var ca, caCerts, peers, admin corev1.Secret
	for name, s := range map[string]*corev1.Secret{"st-marys-ca": &ca, "st-marys-ca-certs": &caCerts, "st-marys-peer-identities": &peers, "st-marys-admin": &admin} {
		if err := get(ns, name, s); err != nil {
			t.Fatalf("Secret %s: %v", name, err)
		}
	}
	if len(ca.OwnerReferences) != 0 {
		t.Error("the CA Secret must not be owned: it survives the Hospital")
	}
	ownedBy(t, &caCerts, h)
	ownedBy(t, &peers, h)
	ownedBy(t, &admin, h)
	org, err := pki.NewOrgFromCAs("StMarysMSP", "st-marys."+ns+".medledger.local", mustCA(t, ca.Data, "ca"), mustCA(t, ca.Data, "tlsca"), pki.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		cert, key, tlsCert, tlsKey := hospital.PeerIdentityKeys(hospital.PeerPodName("st-marys", i))
		kp, err := pki.ParseKeyPair(peers.Data[cert], peers.Data[key])
		if err != nil {
			t.Fatalf("peer %d identity: %v", i, err)
		}
		if role, err := org.VerifyIdentity(kp.Cert, time.Now()); err != nil || role != pki.RolePeer {
			t.Errorf("peer %d identity: role %q, %v", i, role, err)
		}
		tls, err := pki.ParseKeyPair(peers.Data[tlsCert], peers.Data[tlsKey])
		if err != nil {
			t.Fatal(err)
		}
		if err := tls.Cert.VerifyHostname(fmt.Sprintf("st-marys-peer-%d.fabric.example.org", i)); err != nil {
			t.Errorf("peer %d TLS: %v", i, err)
		}
	}
	if peers.Annotations[hospital.AnnotationIdentityRevision] != "1" {
		t.Errorf("identity revision %q", peers.Annotations[hospital.AnnotationIdentityRevision])
	}
	if string(admin.Data[hospital.KeyMSPID]) != "StMarysMSP" || len(admin.Data[hospital.KeyAdminKey]) == 0 {
		t.Errorf("admin Secret keys %v", keys(admin.Data))
	}
	if _, ok := caCerts.Data[hospital.KeyCAKey]; ok {
		t.Error("the public CA Secret holds a key")
	}

	// Peers.
	var cm corev1.ConfigMap
	if err := get(ns, "st-marys-peer-config", &cm); err != nil || !strings.Contains(cm.Data["core.yaml"], "localMspId: StMarysMSP") {
		t.Errorf("peer ConfigMap: %v", err)
	}
	var sts appsv1.StatefulSet
	if err := get(ns, "st-marys-peer", &sts); err != nil {
		t.Fatal(err)
	}
	ownedBy(t, &sts, h)
	if *sts.Spec.Replicas != 2 || sts.Spec.Template.Spec.Containers[0].Image != "hyperledger/fabric-peer:3.1.1" {
		t.Errorf("StatefulSet replicas %d image %q", *sts.Spec.Replicas, sts.Spec.Template.Spec.Containers[0].Image)
	}
	if got := sts.Spec.Template.Annotations[hospital.AnnotationConfigHash]; got != hospital.ConfigHash(&cm) {
		t.Errorf("config hash %q does not match the ConfigMap", got)
	}
	if q := sts.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests[corev1.ResourceStorage]; q.Cmp(resource.MustParse("10Gi")) != 0 {
		t.Errorf("ledger volume %s", q.String())
	}
	for _, name := range []string{"st-marys-peers", "st-marys-peer", "st-marys-peer-0-external", "st-marys-peer-1-external", "st-marys-wasmcc"} {
		var svc corev1.Service
		if err := get(ns, name, &svc); err != nil {
			t.Errorf("Service %s: %v", name, err)
			continue
		}
		ownedBy(t, &svc, h)
	}

	// wasmcc and policies.
	var deploy appsv1.Deployment
	if err := get(ns, "st-marys-wasmcc", &deploy); err != nil {
		t.Fatal(err)
	}
	ownedBy(t, &deploy, h)
	if c := deploy.Spec.Template.Spec.Containers[0]; c.Image != testOpts.WasmccImage {
		t.Errorf("wasmcc image %q", c.Image)
	}
	for _, name := range []string{"st-marys-peer", "st-marys-wasmcc"} {
		var np networkingv1.NetworkPolicy
		var pdb policyv1.PodDisruptionBudget
		if err := get(ns, name, &np); err != nil {
			t.Errorf("NetworkPolicy %s: %v", name, err)
		}
		if err := get(ns, name, &pdb); err != nil {
			t.Errorf("PodDisruptionBudget %s: %v", name, err)
		}
	}
}

func mustCA(t *testing.T, data map[string][]byte, prefix string) *pki.CA {
	t.Helper()
	ca, err := pki.ParseCA(data[prefix+".crt"], data[prefix+".key"])
	if err != nil {
		t.Fatalf("%s: %v", prefix, err)
	}
	return ca
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestHospitalReconciler_Update(t *testing.T) {
	ns := namespace(t, "update")
	create(t, newHospital(ns, "city-general", withPeers(2), withExternal("fabric.example.org")))
	reconciled(t, ns, "city-general", steadyInEnvtest)
	var before corev1.Secret
	if err := get(ns, "city-general-peer-identities", &before); err != nil {
		t.Fatal(err)
	}

	update(t, ns, "city-general", func(h *v1alpha1.Hospital) {
		h.Spec.Peers.Replicas = ptrTo[int32](3)
		h.Spec.Peers.Resources = corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")}}
	})
	reconciled(t, ns, "city-general", func(h *v1alpha1.Hospital) error {
		var sts appsv1.StatefulSet
		if err := get(ns, "city-general-peer", &sts); err != nil {
			return err
		}
		if *sts.Spec.Replicas != 3 {
			return fmt.Errorf("StatefulSet has %d replicas", *sts.Spec.Replicas)
		}
		if cpu := sts.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu().String(); cpu != "500m" {
			return fmt.Errorf("peer CPU request %s", cpu)
		}
		if h.Status.DesiredPeers != 3 {
			return fmt.Errorf("status desiredPeers %d", h.Status.DesiredPeers)
		}
		var ext corev1.Service
		return get(ns, "city-general-peer-2-external", &ext)
	})
	var after corev1.Secret
	if err := get(ns, "city-general-peer-identities", &after); err != nil {
		t.Fatal(err)
	}
	cert0, _, _, _ := hospital.PeerIdentityKeys("city-general-peer-0")
	cert2, _, _, _ := hospital.PeerIdentityKeys("city-general-peer-2")
	if string(after.Data[cert0]) != string(before.Data[cert0]) {
		t.Error("scaling up replaced peer 0's certificate")
	}
	if len(after.Data[cert2]) == 0 {
		t.Error("peer 2 has no certificate")
	}
	if after.Annotations[hospital.AnnotationIdentityRevision] != "1" {
		t.Error("scaling up must not roll the existing peers")
	}

	// Removing spec.external removes the external Services.
	update(t, ns, "city-general", func(h *v1alpha1.Hospital) { h.Spec.External = nil })
	reconciled(t, ns, "city-general", func(*v1alpha1.Hospital) error {
		for i := 0; i < 3; i++ {
			var svc corev1.Service
			if err := get(ns, hospital.PeerExternalServiceName("city-general", i), &svc); !apierrors.IsNotFound(err) {
				return fmt.Errorf("external Service %d still there (%w)", i, err)
			}
		}
		return nil
	})
}

func TestHospitalReconciler_Delete(t *testing.T) {
	tests := []struct {
		name     string
		mods     []hospitalMod
		keepData bool
	}{
		{"keeps ledgers and CA", nil, true},
		{"on-delete Delete removes them", []hospitalMod{withAnnotations(hospital.AnnotationOnDelete, hospital.OnDeleteDelete)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := namespace(t, "delete")
			// A second finalizer keeps the Hospital readable after the controller has let go of it.
			create(t, newHospital(ns, "st-marys", append(tt.mods, withFinalizers("test.medledger.io/hold"))...))
			h := reconciled(t, ns, "st-marys", steadyInEnvtest)
			// The StatefulSet controller would create a claim from the template; envtest has none, so the test does.
			claim := &corev1.PersistentVolumeClaim{
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ledger-st-marys-peer-0", Labels: hospital.Labels("st-marys", hospital.ComponentPeer, "fabric-peer")},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}},
				},
			}
			create(t, claim)
			if err := k8s.Delete(context.Background(), h); err != nil {
				t.Fatal(err)
			}
			eventually(t, 30*time.Second, func() error {
				if err := get(ns, "st-marys", h); err != nil {
					return err
				}
				if len(h.Finalizers) != 1 {
					return fmt.Errorf("finalizers %v, want only the test's", h.Finalizers)
				}
				return nil
			})
			for _, list := range ownedLists() {
				if err := k8s.List(context.Background(), list, client.InNamespace(ns)); err != nil {
					t.Fatal(err)
				}
				for _, o := range mustItems(t, list) {
					if metav1.IsControlledBy(o, h) && o.GetDeletionTimestamp().IsZero() {
						t.Errorf("%T %s survived its Hospital", o, o.GetName())
					}
				}
			}
			var ca corev1.Secret
			caErr := get(ns, "st-marys-ca", &ca)
			claimErr := get(ns, claim.Name, &corev1.PersistentVolumeClaim{})
			if tt.keepData && (caErr != nil || claimErr != nil) {
				t.Errorf("CA (%v) or ledger volume (%v) was removed", caErr, claimErr)
			}
			if !tt.keepData && (!apierrors.IsNotFound(caErr) || !gone(claimErr, ns, claim.Name)) {
				t.Errorf("CA (%v) or ledger volume (%v) was kept", caErr, claimErr)
			}
			// Release the Hospital.
			update(t, ns, "st-marys", func(h *v1alpha1.Hospital) { h.Finalizers = nil })
			eventually(t, 10*time.Second, func() error {
				if err := get(ns, "st-marys", &v1alpha1.Hospital{}); !apierrors.IsNotFound(err) {
					return fmt.Errorf("Hospital still there: %w", err)
				}
				return nil
			})
		})
	}
}

// gone reports whether a claim is deleted or being deleted: the pvc-protection finalizer would hold a claim in
// use, and envtest has no controller to remove it.
func gone(err error, ns, name string) bool {
	if apierrors.IsNotFound(err) {
		return true
	}
	var c corev1.PersistentVolumeClaim
	return get(ns, name, &c) == nil && !c.DeletionTimestamp.IsZero()
}

func mustItems(t *testing.T, list client.ObjectList) []client.Object {
	t.Helper()
	items, err := meta.ExtractList(list)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]client.Object, len(items))
	for i, o := range items {
		out[i] = o.(client.Object)
	}
	return out
}
