package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/hospital"
	"github.com/medledger/medledger/operator/internal/hospital/hospitaltest"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

func withCertManager(issuer string) hospitalMod {
	return func(h *v1alpha1.Hospital) {
		h.Spec.Identity.Source = v1alpha1.IdentitySourceCertManager
		h.Spec.Identity.CertManager = &v1alpha1.CertManagerIdentity{IssuerRef: v1alpha1.IssuerReference{Name: issuer}}
	}
}

// certificates lists the cert-manager Certificates in ns.
func certificates(t *testing.T, ns string) []unstructured.Unstructured {
	t.Helper()
	list := &unstructured.UnstructuredList{}
	list.SetAPIVersion("cert-manager.io/v1")
	list.SetKind("CertificateList")
	if err := k8s.List(context.Background(), list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	return list.Items
}

// issue plays cert-manager: for every Certificate in ns it writes the Secret cert-manager would, signed by ca.
func issue(t *testing.T, ns string, ca *pki.CA, only ...string) {
	t.Helper()
	for _, c := range certificates(t, ns) {
		if len(only) > 0 && !strings.Contains(strings.Join(only, ","), c.GetName()) {
			continue
		}
		sec, err := hospitaltest.IssueLikeCertManager(ca, &c, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var cur corev1.Secret
		if err := get(ns, sec.Name, &cur); err == nil {
			cur.Data = sec.Data
			if err := k8s.Update(context.Background(), &cur); err != nil {
				t.Fatal(err)
			}
			continue
		}
		create(t, sec)
	}
}

// TestHospitalReconciler_CertManager runs the CertManager identity source against cert-manager's CRDs (schemaless
// stand-ins in testdata/crds). cert-manager itself cannot run here, so the test issues the certificates the way
// it would: a Secret per Certificate with tls.crt, tls.key and ca.crt.
func TestHospitalReconciler_CertManager(t *testing.T) {
	ns := namespace(t, "certmanager")
	create(t, newHospital(ns, "st-marys", withPeers(2), withCertManager("hospital-ca")))
	h := reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		return hasCondition(h, v1alpha1.HospitalIdentityReady, metav1.ConditionFalse, v1alpha1.ReasonIssuerNotFound)
	})
	if c := meta.FindStatusCondition(h.Status.Conditions, v1alpha1.HospitalIdentityReady); !strings.Contains(c.Message, "an Issuer in namespace "+ns+" called hospital-ca") {
		t.Errorf("message %q", c.Message)
	}

	issuer := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"ca": map[string]any{"secretName": "hospital-ca-keys"}}}}
	issuer.SetAPIVersion("cert-manager.io/v1")
	issuer.SetKind("Issuer")
	issuer.SetNamespace(ns)
	issuer.SetName("hospital-ca")
	create(t, issuer)
	// The issuer is not watched; the controller looks again after ProblemRetry (1 s in these tests).
	reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		if err := hasCondition(h, v1alpha1.HospitalIdentityReady, metav1.ConditionFalse, v1alpha1.ReasonCertificateNotIssued); err != nil {
			return err
		}
		if n := len(certificates(t, ns)); n != 6 {
			return fmt.Errorf("%d Certificates, want 6", n)
		}
		return nil
	})
	for _, c := range certificates(t, ns) {
		if !metav1.IsControlledBy(&c, h) {
			t.Errorf("Certificate %s is not owned by the Hospital", c.GetName())
		}
	}

	org, err := pki.NewOrg(pki.OrgConfig{MSPID: "StMarysMSP", Domain: "issuer.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	issue(t, ns, org.SignCA)
	reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		return hasCondition(h, v1alpha1.HospitalIdentityReady, metav1.ConditionTrue, v1alpha1.ReasonCAReady)
	})
	var caCerts, peers corev1.Secret
	if err := get(ns, "st-marys-ca-certs", &caCerts); err != nil {
		t.Fatal(err)
	}
	if string(caCerts.Data["ca.crt"]) != string(org.SignCA.CertPEM()) {
		t.Error("the verifying MSP does not hold the issuer's CA")
	}
	if err := get(ns, "st-marys-ca", &corev1.Secret{}); !apierrors.IsNotFound(err) {
		t.Errorf("a built-in CA exists beside cert-manager (%v)", err)
	}
	if err := get(ns, "st-marys-peer-identities", &peers); err != nil {
		t.Fatal(err)
	}
	var issued corev1.Secret
	if err := get(ns, "st-marys-peer-1-tls", &issued); err != nil {
		t.Fatal(err)
	}
	_, _, tlsCert, _ := hospital.PeerIdentityKeys("st-marys-peer-1")
	if string(peers.Data[tlsCert]) != string(issued.Data["tls.crt"]) {
		t.Error("peer 1's TLS certificate was not copied from cert-manager's Secret")
	}

	// cert-manager renews peer 0's TLS certificate: the peers roll onto it.
	issue(t, ns, org.SignCA, "st-marys-peer-0-tls")
	reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		var sts appsv1.StatefulSet
		if err := get(ns, "st-marys-peer", &sts); err != nil {
			return err
		}
		if rev := sts.Spec.Template.Annotations[hospital.AnnotationIdentityRevision]; rev != "2" {
			return fmt.Errorf("pod template identity revision %q, want 2", rev)
		}
		return nil
	})

	// Scaling down removes the Certificates and Secrets of the peer that went away.
	update(t, ns, "st-marys", func(h *v1alpha1.Hospital) { h.Spec.Peers.Replicas = ptrTo[int32](1) })
	reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		if n := len(certificates(t, ns)); n != 4 {
			return fmt.Errorf("%d Certificates, want 4", n)
		}
		if err := get(ns, "st-marys-peer-1-sign", &corev1.Secret{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("peer 1's signing Secret is still there (%w)", err)
		}
		return nil
	})

	// Deleting the Hospital removes the Certificates and what cert-manager issued.
	if err := k8s.Delete(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		if err := get(ns, "st-marys", &v1alpha1.Hospital{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("Hospital still there (%w)", err)
		}
		if n := len(certificates(t, ns)); n != 0 {
			return fmt.Errorf("%d Certificates left", n)
		}
		var secrets corev1.SecretList
		if err := k8s.List(context.Background(), &secrets, client.InNamespace(ns)); err != nil {
			return err
		}
		if len(secrets.Items) != 0 {
			return fmt.Errorf("%d Secrets left, e.g. %s", len(secrets.Items), secrets.Items[0].Name)
		}
		return nil
	})
}
