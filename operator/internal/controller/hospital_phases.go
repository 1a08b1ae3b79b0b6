package controller

import (
	"context"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/hospital"
)

// scope is what one reconcile pass learns about a Hospital; the status functions read it.
type scope struct {
	h   *v1alpha1.Hospital
	now time.Time

	model   *hospital.Model // nil when the spec is invalid
	invalid error

	identity        *hospital.Identity
	identityPlan    hospital.IdentityPlan
	identityProblem *problem
	externalRenewal bool // cert-manager renews the certificates; no timer is needed

	consortia map[string]*v1alpha1.Consortium // spec.consortia key → Consortium (nil: not found); nil map: not read
	sts       *appsv1.StatefulSet
	deploy    *appsv1.Deployment
	pods      []corev1.Pod

	gone bool // the finalizer was removed: the Hospital may no longer exist
}

// problem is a condition reason and message explaining why a phase could not go on.
type problem struct{ reason, message string }

// reconcileNormal runs the phases of a live Hospital. A phase that meets a problem the user must fix records it
// and stops the pass without an error, so the controller does not retry in a hot loop.
func (r *HospitalReconciler) reconcileNormal(ctx context.Context, s *scope) (ctrl.Result, error) {
	m, err := hospital.Resolve(s.h, r.Options)
	if err != nil {
		s.invalid = err           // shown as Ready=False InvalidSpec; only a spec change can fix it
		return ctrl.Result{}, nil //nolint:nilerr // reported in status, not retried
	}
	s.model = m
	if err := r.reconcileIdentity(ctx, s); err != nil {
		return ctrl.Result{}, err
	}
	if s.identityProblem != nil {
		retry := r.ProblemRetry
		if retry == 0 {
			retry = time.Minute
		}
		return ctrl.Result{RequeueAfter: retry}, nil
	}
	if err := r.observeConsortia(ctx, s); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.reconcileObjects(ctx, s); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.observePods(ctx, s); err != nil {
		return ctrl.Result{}, err
	}
	// Come back when the first certificate enters its renewal window; nothing else needs a timer.
	if t := s.identity.RenewalTime(m); !t.IsZero() && !s.externalRenewal {
		return ctrl.Result{RequeueAfter: max(t.Sub(s.now), time.Second)}, nil
	}
	return ctrl.Result{}, nil
}

// observeConsortia reads every Consortium in spec.consortia.
func (r *HospitalReconciler) observeConsortia(ctx context.Context, s *scope) error {
	s.consortia = map[string]*v1alpha1.Consortium{}
	for _, ref := range s.h.Spec.Consortia {
		key := consortiumKey(s.h.Namespace, ref)
		ns, name, _ := strings.Cut(key, "/")
		c := &v1alpha1.Consortium{}
		err := r.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, c)
		switch {
		case apierrors.IsNotFound(err):
			s.consortia[key] = nil
		case err != nil:
			return fmt.Errorf("reading consortium %s: %w", key, err)
		default:
			s.consortia[key] = c
		}
	}
	return nil
}

// reconcileObjects applies every desired object and removes the ones no longer desired (an external Service of a
// peer scaled away, all of them when spec.external is removed).
func (r *HospitalReconciler) reconcileObjects(ctx context.Context, s *scope) error {
	_, _, packageIDs := channelsJoined(s.h, s.consortia, s.now)
	objs, err := hospital.Desired(s.model, s.identity, packageIDs)
	if err != nil {
		return err
	}
	keep := map[schema.GroupKind]map[string]bool{}
	for _, o := range objs {
		applied, err := r.apply(ctx, s.h, o)
		if err != nil {
			return err
		}
		gk := applied.GroupVersionKind().GroupKind()
		if keep[gk] == nil {
			keep[gk] = map[string]bool{}
		}
		keep[gk][applied.GetName()] = true
		switch gk.Kind {
		case "StatefulSet":
			s.sts = &appsv1.StatefulSet{}
			err = fromUnstructured(applied, s.sts)
		case "Deployment":
			s.deploy = &appsv1.Deployment{}
			err = fromUnstructured(applied, s.deploy)
		}
		if err != nil {
			return err
		}
	}
	return r.prune(ctx, s.h, keep)
}

// prune deletes the Hospital's objects of the owned kinds that it controls but no longer desires.
func (r *HospitalReconciler) prune(ctx context.Context, h *v1alpha1.Hospital, keep map[schema.GroupKind]map[string]bool) error {
	return r.eachOwned(ctx, h, func(o client.Object, gk schema.GroupKind) error {
		if keep[gk][o.GetName()] || !metav1.IsControlledBy(o, h) {
			return nil
		}
		if err := r.Client.Delete(ctx, o); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("removing %s %s: %w", gk.Kind, o.GetName(), err)
		}
		r.Recorder.Eventf(h, corev1.EventTypeNormal, "Removed", "Removed %s %s, no longer needed", gk.Kind, o.GetName())
		return nil
	})
}

// eachOwned calls fn for every object of the owned kinds labelled with the Hospital's name, read from the cache
// (the informers Owns starts).
func (r *HospitalReconciler) eachOwned(ctx context.Context, h *v1alpha1.Hospital, fn func(client.Object, schema.GroupKind) error) error {
	for _, list := range ownedLists() {
		if err := r.Client.List(ctx, list, client.InNamespace(h.Namespace), client.MatchingLabels{hospital.LabelHospital: h.Name}); err != nil {
			return fmt.Errorf("listing %T: %w", list, err)
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			return err
		}
		for _, item := range items {
			o := item.(client.Object)
			gvk, err := r.Client.GroupVersionKindFor(o)
			if err != nil {
				return err
			}
			if err := fn(o, gvk.GroupKind()); err != nil {
				return err
			}
		}
	}
	return nil
}

// observePods lists the peer pods, for per-peer readiness, the Fabric version they run and the certificates they
// were started with.
func (r *HospitalReconciler) observePods(ctx context.Context, s *scope) error {
	var pods corev1.PodList
	err := r.Client.List(ctx, &pods, client.InNamespace(s.h.Namespace), client.MatchingLabels(hospital.SelectorLabels(s.h.Name, hospital.ComponentPeer)))
	if err != nil {
		return fmt.Errorf("listing peer pods: %w", err)
	}
	s.pods = pods.Items
	return nil
}

// reconcileDelete removes what the Hospital created and then its finalizer. The ledger volumes and the built-in
// CA survive unless the Hospital is annotated medledger.io/on-delete: Delete. Objects are deleted explicitly rather
// than left to the garbage collector, so the Hospital is gone only once they are.
func (r *HospitalReconciler) reconcileDelete(ctx context.Context, s *scope) (ctrl.Result, error) {
	h := s.h
	if !controllerutil.ContainsFinalizer(h, HospitalFinalizer) {
		return ctrl.Result{}, nil
	}
	deleteData := h.Annotations[hospital.AnnotationOnDelete] == hospital.OnDeleteDelete
	err := r.eachOwned(ctx, h, func(o client.Object, gk schema.GroupKind) error {
		// Only what this Hospital controls, and what cert-manager issued for it; the CA Secret has no owner, so it
		// stays unless asked.
		isCA := gk.Kind == "Secret" && o.GetName() == hospital.CASecretName(h.Name)
		issued := gk.Kind == "Secret" && o.GetLabels()[hospital.LabelCertificate] != ""
		if !metav1.IsControlledBy(o, h) && !issued && (!isCA || !deleteData) {
			return nil
		}
		if err := r.Client.Delete(ctx, o); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("deleting %s %s: %w", gk.Kind, o.GetName(), err)
		}
		return nil
	})
	if err != nil {
		return ctrl.Result{}, err
	}
	if err := r.pruneCertificates(ctx, h, nil); err != nil {
		return ctrl.Result{}, err
	}
	if deleteData {
		// Claims are made by the StatefulSet controller, not by the operator: find them by label, uncached.
		var claims corev1.PersistentVolumeClaimList
		err := r.APIReader.List(ctx, &claims, client.InNamespace(h.Namespace), client.MatchingLabels(hospital.SelectorLabels(h.Name, hospital.ComponentPeer)))
		if err != nil {
			return ctrl.Result{}, fmt.Errorf("listing ledger volumes: %w", err)
		}
		for i := range claims.Items {
			if err := r.Client.Delete(ctx, &claims.Items[i]); client.IgnoreNotFound(err) != nil {
				return ctrl.Result{}, fmt.Errorf("deleting ledger volume %s: %w", claims.Items[i].Name, err)
			}
		}
		r.Recorder.Eventf(h, corev1.EventTypeNormal, "DataDeleted", "Deleted %d ledger volumes and the CA", len(claims.Items))
	}
	base := h.DeepCopy()
	controllerutil.RemoveFinalizer(h, HospitalFinalizer)
	if err := r.Client.Patch(ctx, h, client.MergeFrom(base)); client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, fmt.Errorf("removing finalizer: %w", err)
	}
	s.gone = true
	return ctrl.Result{}, nil
}
