package controller

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/hospital"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// reconcileIdentity finds the organisation's CA, reads the current certificates and issues or renews what
// hospital.PlanIdentity says. Everything is read from the API server, not the cache: a stale read could make the
// controller mint a second CA or renew certificates twice.
func (r *HospitalReconciler) reconcileIdentity(ctx context.Context, s *scope) error {
	m := s.model
	peers, err := r.secret(ctx, m.Namespace, hospital.PeerIdentitySecretName(m.Name))
	if err != nil {
		return err
	}
	admin, err := r.secret(ctx, m.Namespace, hospital.AdminSecretName(m.Name))
	if err != nil {
		return err
	}
	var ca *pki.Org
	switch m.IdentitySource {
	case v1alpha1.IdentitySourceSecret:
		ca, err = r.userCA(ctx, s)
	case v1alpha1.IdentitySourceCertManager:
		return r.certManagerIdentity(ctx, s, peers)
	default:
		ca, err = r.builtinCA(ctx, s, peers != nil)
	}
	if err != nil || s.identityProblem != nil {
		return err
	}
	cur := hospital.ParseIdentity(m, ca, peers, admin)
	next, plan, err := hospital.PlanIdentity(m, ca, cur, s.now)
	if err != nil {
		// The CA cannot issue (expired, no key): a problem for a human, shown in the condition, not a retry.
		s.identityProblem = &problem{v1alpha1.ReasonCertificateExpired, "cannot issue node certificates: " + err.Error()}
		return nil //nolint:nilerr // reported in status, see above
	}
	s.identity, s.identityPlan = next, plan
	r.recordIdentityPlan(s.h, plan)
	return nil
}

func (r *HospitalReconciler) recordIdentityPlan(h *v1alpha1.Hospital, plan hospital.IdentityPlan) {
	if len(plan.Issued) > 0 {
		r.Recorder.Eventf(h, corev1.EventTypeNormal, "CertificatesIssued", "Issued certificates for %s", strings.Join(plan.Issued, ", "))
	}
	if len(plan.Renewed) > 0 {
		r.Recorder.Eventf(h, corev1.EventTypeNormal, v1alpha1.ReasonCertificateRenewing, "Renewing certificates, peers restart one at a time: %s", strings.Join(plan.Renewed, "; "))
	}
}

// secret reads a Secret from the API server; a missing one is nil.
func (r *HospitalReconciler) secret(ctx context.Context, ns, name string) (*corev1.Secret, error) {
	s := &corev1.Secret{}
	if err := r.APIReader.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, s); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading Secret %s: %w", name, err)
	}
	return s, nil
}

// builtinCA reads the built-in CA Secret or, for a new hospital, creates the CA. It never replaces a CA: when the
// Secret is unreadable, or missing while peers hold certificates from it, that is a problem for a human, because a
// new CA would be a new organisation to every channel the hospital has joined.
func (r *HospitalReconciler) builtinCA(ctx context.Context, s *scope, hasCertificates bool) (*pki.Org, error) {
	m := s.model
	name := hospital.CASecretName(m.Name)
	sec, err := r.secret(ctx, m.Namespace, name)
	if err != nil {
		return nil, err
	}
	if sec == nil && hasCertificates {
		s.identityProblem = &problem{v1alpha1.ReasonCASecretInvalid, fmt.Sprintf(
			"Secret %s with the organisation's CA is missing but the peers hold certificates issued by it: restore it from a backup (a new CA would be a new organisation to every channel)", name)}
		return nil, nil
	}
	if sec != nil {
		ca, err := hospital.CAFromPEM(m, sec.Data, s.now)
		if err != nil {
			s.identityProblem = &problem{v1alpha1.ReasonCASecretInvalid, fmt.Sprintf("Secret %s: %v", name, err)}
		}
		return ca, nil
	}
	ca, err := hospital.NewCA(m, s.now)
	if err != nil {
		return nil, err
	}
	desired, err := hospital.CASecret(m, ca)
	if err != nil {
		return nil, err
	}
	// Create, not apply: if another pass got there first, its CA wins and this one is discarded.
	if err := r.Client.Create(ctx, desired); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return r.builtinCA(ctx, s, hasCertificates)
		}
		return nil, fmt.Errorf("creating Secret %s: %w", name, err)
	}
	r.Recorder.Eventf(s.h, corev1.EventTypeNormal, "CACreated", "Created the organisation's CA in Secret %s", name)
	return ca, nil
}

// userCA reads the CA from the Secret the user named in spec.identity.secret.
func (r *HospitalReconciler) userCA(ctx context.Context, s *scope) (*pki.Org, error) {
	m := s.model
	sec, err := r.secret(ctx, m.Namespace, m.CASecret)
	if err != nil {
		return nil, err
	}
	if sec == nil {
		s.identityProblem = &problem{v1alpha1.ReasonReferenceNotFound, fmt.Sprintf("Secret %s named in spec.identity.secret does not exist", m.CASecret)}
		return nil, nil
	}
	ca, err := hospital.CAFromPEM(m, sec.Data, s.now)
	if err != nil {
		s.identityProblem = &problem{v1alpha1.ReasonCASecretInvalid, fmt.Sprintf("Secret %s: %v", m.CASecret, err)}
	}
	return ca, nil
}
