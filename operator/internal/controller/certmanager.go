package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/hospital"
)

// certManagerIdentity declares a cert-manager Certificate per key pair and assembles the identity from the
// Secrets cert-manager writes. cert-manager renews them itself; a renewed Secret wakes this controller through
// its label, and the peers roll onto the new certificates. The controller never needs the CA's key.
func (r *HospitalReconciler) certManagerIdentity(ctx context.Context, s *scope, peers *corev1.Secret) error {
	m := s.model
	s.externalRenewal = true
	if p, err := r.checkIssuer(ctx, m); err != nil || p != nil {
		s.identityProblem = p
		return err
	}
	desired := map[string]bool{}
	for _, c := range hospital.CertManagerCertificates(m) {
		if _, err := r.apply(ctx, s.h, c); err != nil {
			return err
		}
		desired[c.GetName()] = true
	}
	if err := r.pruneCertificates(ctx, s.h, desired); err != nil {
		return err
	}
	secrets := map[string]*corev1.Secret{}
	for name := range desired {
		sec, err := r.secret(ctx, m.Namespace, name)
		if err != nil {
			return err
		}
		secrets[name] = sec
	}
	admin, err := r.secret(ctx, m.Namespace, hospital.AdminSecretName(m.Name))
	if err != nil {
		return err
	}
	cur := hospital.ParseIdentity(m, nil, peers, admin)
	id, err := hospital.CertManagerIdentity(m, secrets, cur, s.now)
	switch {
	case errors.Is(err, hospital.ErrNotIssued):
		s.identityProblem = &problem{v1alpha1.ReasonCertificateNotIssued, r.notIssuedMessage(ctx, m, err)}
	case errors.Is(err, hospital.ErrExpired):
		s.identityProblem = &problem{v1alpha1.ReasonCertificateExpired, err.Error() + ": check the issuer, cert-manager could not renew it"}
	case err != nil:
		s.identityProblem = &problem{v1alpha1.ReasonCertificateNotIssued, err.Error()}
	default:
		s.identity = id
		if cur.Revision > 0 && id.Revision > cur.Revision {
			s.identityPlan.Renewed = []string{"cert-manager renewed the peers' certificates"}
			r.recordIdentityPlan(s.h, s.identityPlan)
		}
	}
	return nil
}

// checkIssuer reports IssuerNotFound when cert-manager is not installed or the issuer does not exist. Issuers of
// other API groups (external issuers) are not checked: their kinds are unknown here.
func (r *HospitalReconciler) checkIssuer(ctx context.Context, m *hospital.Model) (*problem, error) {
	ref := m.CertManager.IssuerRef
	if ref.Group != "" && ref.Group != "cert-manager.io" {
		return nil, nil
	}
	kind := ref.Kind
	if kind == "" {
		kind = "Issuer"
	}
	issuer := &unstructured.Unstructured{}
	issuer.SetAPIVersion(hospital.CertManagerGroupVersion)
	issuer.SetKind(kind)
	key := types.NamespacedName{Name: ref.Name}
	where := "a ClusterIssuer"
	if kind == "Issuer" {
		key.Namespace, where = m.Namespace, "an Issuer in namespace "+m.Namespace
	}
	err := r.APIReader.Get(ctx, key, issuer)
	switch {
	case meta.IsNoMatchError(err):
		return &problem{v1alpha1.ReasonIssuerNotFound, "cert-manager is not installed (the API server does not know cert-manager.io/v1 " + kind + ")"}, nil
	case apierrors.IsNotFound(err):
		return &problem{v1alpha1.ReasonIssuerNotFound, fmt.Sprintf("spec.identity.certManager.issuerRef names %s called %s, which does not exist", where, ref.Name)}, nil
	case err != nil:
		return nil, fmt.Errorf("reading %s %s: %w", kind, ref.Name, err)
	}
	return nil, nil
}

// notIssuedMessage repeats the Ready condition of the Certificates not issued yet, as cert-manager reports them.
func (r *HospitalReconciler) notIssuedMessage(ctx context.Context, m *hospital.Model, err error) string {
	var details []string
	for _, c := range hospital.CertManagerCertificates(m) {
		cur := &unstructured.Unstructured{}
		cur.SetGroupVersionKind(c.GroupVersionKind())
		if r.APIReader.Get(ctx, client.ObjectKeyFromObject(c), cur) != nil {
			continue
		}
		conds, _, _ := unstructured.NestedSlice(cur.Object, "status", "conditions")
		for _, raw := range conds {
			cond, _ := raw.(map[string]any)
			if cond["type"] == "Ready" && cond["status"] != "True" {
				details = append(details, fmt.Sprintf("%s: %v", c.GetName(), cond["message"]))
			}
		}
	}
	msg := "waiting for cert-manager to issue " + strings.TrimPrefix(err.Error(), "certificate Secrets ")
	if len(details) > 0 {
		msg += "; " + strings.Join(details, "; ")
	}
	return msg
}

// pruneCertificates deletes the Hospital's Certificates that are no longer desired (peers scaled away) and the
// Secrets cert-manager wrote for them.
func (r *HospitalReconciler) pruneCertificates(ctx context.Context, h *v1alpha1.Hospital, desired map[string]bool) error {
	list := &unstructured.UnstructuredList{}
	list.SetAPIVersion(hospital.CertManagerGroupVersion)
	list.SetKind("CertificateList")
	if err := r.APIReader.List(ctx, list, client.InNamespace(h.Namespace), client.MatchingLabels{hospital.LabelHospital: h.Name}); err != nil {
		if meta.IsNoMatchError(err) {
			return nil
		}
		return fmt.Errorf("listing Certificates: %w", err)
	}
	for i := range list.Items {
		c := &list.Items[i]
		if desired[c.GetName()] || !metav1.IsControlledBy(c, h) {
			continue
		}
		if err := r.Client.Delete(ctx, c); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("removing Certificate %s: %w", c.GetName(), err)
		}
		sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: h.Namespace, Name: c.GetName()}}
		if err := r.Client.Delete(ctx, sec); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("removing Secret %s: %w", sec.Name, err)
		}
	}
	return nil
}
