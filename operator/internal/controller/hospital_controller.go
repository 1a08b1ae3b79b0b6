package controller

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/hospital"
)

// HospitalFinalizer keeps a Hospital until the operator has removed what it created for it.
const HospitalFinalizer = "medledger.io/hospital"

// FieldOwner is the server-side apply field manager of everything the Hospital controller applies.
const FieldOwner = "medledger-hospital-controller"

// consortiaIndex indexes Hospitals by the "namespace/name" of each Consortium in spec.consortia.
const consortiaIndex = ".spec.consortia"

// RBAC the Hospital controller needs, and no more (controller-gen writes config/rbac/role.yaml from these markers;
// TestManager_LeastPrivilege in cmd/manager runs the manager with exactly that role). Owned objects are written
// with server-side apply (patch, and create for new ones) and read from the cache (list, watch); Secrets and
// Certificates are also read directly (get). hospitals/finalizers is for owner references that block deletion.
// +kubebuilder:rbac:groups=medledger.io,resources=hospitals,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=medledger.io,resources=hospitals/status,verbs=patch
// +kubebuilder:rbac:groups=medledger.io,resources=hospitals/finalizers,verbs=update
// +kubebuilder:rbac:groups=medledger.io,resources=consortia,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups="",resources=configmaps;services,verbs=list;watch;create;patch;delete
// +kubebuilder:rbac:groups="",resources=pods,verbs=list;watch
// +kubebuilder:rbac:groups="",resources=persistentvolumeclaims,verbs=list;delete
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=apps,resources=statefulsets;deployments,verbs=list;watch;create;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=list;watch;create;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=list;watch;create;patch;delete
// +kubebuilder:rbac:groups=cert-manager.io,resources=certificates,verbs=get;list;create;patch;delete
// +kubebuilder:rbac:groups=cert-manager.io,resources=issuers;clusterissuers,verbs=get

// HospitalReconciler turns a Hospital into the Secrets, configuration, peers, wasmcc and policies that run it
// (computed by package hospital), applies them with server-side apply, and reports status.
//
// The shape follows cluster-api: get the Hospital; make sure it has the finalizer; in a deferred function compute
// the conditions and patch status only when it changed, setting observedGeneration only after a successful pass;
// run the reconcile phases, or the delete phases once the Hospital is being deleted.
type HospitalReconciler struct {
	// Client reads from the manager's cache (see CacheOptions) and writes to the API server.
	Client client.Client
	// APIReader reads from the API server directly: certificate Secrets, where a stale cache could make the
	// controller issue certificates twice, and Secrets the user owns, which the cache does not hold.
	APIReader client.Reader
	Scheme    *runtime.Scheme
	Recorder  record.EventRecorder
	// Options are the operator-wide settings (wasmcc image, domains).
	Options hospital.Options
	// Clock returns "now"; nil means time.Now. Tests move it to reach a certificate's renewal window.
	Clock func() time.Time
	// MaxConcurrentReconciles is how many Hospitals reconcile at once; 0 means 1.
	MaxConcurrentReconciles int
	// ProblemRetry is how soon a Hospital waiting on something the controller does not watch (a user's CA
	// Secret, a cert-manager issuer) is looked at again; 0 means one minute.
	ProblemRetry time.Duration
}

// CacheOptions returns the manager cache settings the Hospital controller expects: Secrets, ConfigMaps, Pods and
// the other kinds it owns are cached only when labelled app.kubernetes.io/managed-by=medledger-operator, so the
// operator neither holds every Secret of the cluster in memory nor needs to.
func CacheOptions() cache.Options {
	managed := labels.SelectorFromSet(labels.Set{hospital.LabelManagedBy: hospital.ManagedBy})
	byObject := map[client.Object]cache.ByObject{}
	for _, o := range append(ownedTypes(), &corev1.Pod{}) {
		byObject[o] = cache.ByObject{Label: managed}
	}
	return cache.Options{ByObject: byObject}
}

// ownedTypes are the kinds the controller applies for a Hospital, and prunes and deletes; ownedLists are their
// lists, in the same order.
func ownedTypes() []client.Object {
	return []client.Object{
		&corev1.Secret{}, &corev1.ConfigMap{}, &corev1.Service{}, &appsv1.StatefulSet{}, &appsv1.Deployment{},
		&networkingv1.NetworkPolicy{}, &policyv1.PodDisruptionBudget{},
	}
}

func ownedLists() []client.ObjectList {
	return []client.ObjectList{
		&corev1.SecretList{}, &corev1.ConfigMapList{}, &corev1.ServiceList{}, &appsv1.StatefulSetList{},
		&appsv1.DeploymentList{}, &networkingv1.NetworkPolicyList{}, &policyv1.PodDisruptionBudgetList{},
	}
}

// SetupWithManager registers the controller: it watches Hospitals (spec, annotation and deletion changes only, so
// status writes do not wake it), the objects it owns, Consortia (which decide channel membership and the wasmcc package
// ID) and labelled Secrets it does not own (cert-manager's).
//
// # Errors
//   - the consortium index cannot be registered, or the controller cannot be built.
func (r *HospitalReconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager) error {
	err := mgr.GetFieldIndexer().IndexField(ctx, &v1alpha1.Hospital{}, consortiaIndex, func(o client.Object) []string {
		h := o.(*v1alpha1.Hospital)
		keys := make([]string, 0, len(h.Spec.Consortia))
		for _, c := range h.Spec.Consortia {
			keys = append(keys, consortiumKey(h.Namespace, c))
		}
		return keys
	})
	if err != nil {
		return fmt.Errorf("indexing hospitals by consortium: %w", err)
	}
	b := ctrl.NewControllerManagedBy(mgr).
		Named("hospital").
		For(&v1alpha1.Hospital{}, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Watches(&v1alpha1.Consortium{}, handler.EnqueueRequestsFromMapFunc(r.hospitalsOfConsortium)).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(unownedHospitalSecret)).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(r.MaxConcurrentReconciles, 1)})
	for _, o := range ownedTypes() {
		b = b.Owns(o, builder.WithPredicates(ignoreCreate))
	}
	return b.Complete(r)
}

// ignoreCreate drops creation events of owned objects: only this controller creates them, in the pass that is
// already running, so reacting would only repeat that pass. Updates (workload status, a user's edit) and
// deletions still wake the controller; at start-up every Hospital is reconciled anyway.
var ignoreCreate = predicate.Funcs{CreateFunc: func(event.CreateEvent) bool { return false }}

func consortiumKey(ns string, c v1alpha1.ConsortiumReference) string {
	if c.Namespace != "" {
		ns = c.Namespace
	}
	return ns + "/" + c.Name
}

// hospitalsOfConsortium maps a Consortium to the Hospitals that list it and the Hospitals it lists: either side
// can change whether they agree.
func (r *HospitalReconciler) hospitalsOfConsortium(ctx context.Context, o client.Object) []reconcile.Request {
	c := o.(*v1alpha1.Consortium)
	var list v1alpha1.HospitalList
	if err := r.Client.List(ctx, &list, client.MatchingFields{consortiaIndex: c.Namespace + "/" + c.Name}); err != nil {
		log.FromContext(ctx).Error(err, "listing hospitals of consortium", "consortium", client.ObjectKeyFromObject(c))
	}
	seen := map[types.NamespacedName]bool{}
	var out []reconcile.Request
	add := func(key types.NamespacedName) {
		if !seen[key] {
			seen[key] = true
			out = append(out, reconcile.Request{NamespacedName: key})
		}
	}
	for _, h := range list.Items {
		add(client.ObjectKeyFromObject(&h))
	}
	for _, m := range c.Spec.Members {
		ns := m.Namespace
		if ns == "" {
			ns = c.Namespace
		}
		add(types.NamespacedName{Namespace: ns, Name: m.Name})
	}
	return out
}

// unownedHospitalSecret maps a labelled Secret without a Hospital owner (cert-manager writes those) to its
// Hospital; owned Secrets already reach the Hospital through Owns.
func unownedHospitalSecret(_ context.Context, o client.Object) []reconcile.Request {
	name := o.GetLabels()[hospital.LabelHospital]
	if name == "" || controlledByHospital(o) || o.GetName() == hospital.CASecretName(name) {
		return nil // the built-in CA Secret is created by the pass that would be woken
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: name}}}
}

func controlledByHospital(o client.Object) bool {
	for _, ref := range o.GetOwnerReferences() {
		if ref.Controller != nil && *ref.Controller && ref.Kind == "Hospital" {
			return true
		}
	}
	return false
}

func (r *HospitalReconciler) now() time.Time {
	if r.Clock != nil {
		return r.Clock().UTC().Truncate(time.Second) // status times are stored to the second
	}
	return time.Now().UTC().Truncate(time.Second)
}

// Reconcile brings one Hospital's objects and status in line with its spec.
func (r *HospitalReconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, retErr error) {
	h := &v1alpha1.Hospital{}
	if err := r.Client.Get(ctx, req.NamespacedName, h); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if h.DeletionTimestamp.IsZero() && !controllerutil.ContainsFinalizer(h, HospitalFinalizer) {
		// The finalizer must be stored before anything is created, or a quick delete could leak objects.
		base := h.DeepCopy()
		controllerutil.AddFinalizer(h, HospitalFinalizer)
		if err := r.Client.Patch(ctx, h, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
			return ctrl.Result{}, fmt.Errorf("adding finalizer: %w", err)
		}
	}
	s := &scope{h: h, now: r.now()}
	base := h.DeepCopy()
	defer func() {
		if s.gone {
			return
		}
		r.summarise(s, retErr)
		if equality.Semantic.DeepEqual(base.Status, h.Status) {
			return
		}
		if err := r.Client.Status().Patch(ctx, h, client.MergeFrom(base)); err != nil && !apierrors.IsNotFound(err) {
			retErr = errorsJoin(retErr, fmt.Errorf("patching status: %w", err))
		}
		r.recordReadyTransition(h, base)
	}()
	if !h.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, s)
	}
	return r.reconcileNormal(ctx, s)
}

// recordReadyTransition emits an event when Ready changes status.
func (r *HospitalReconciler) recordReadyTransition(h, before *v1alpha1.Hospital) {
	now := meta.FindStatusCondition(h.Status.Conditions, v1alpha1.ConditionReady)
	was := meta.FindStatusCondition(before.Status.Conditions, v1alpha1.ConditionReady)
	if now == nil || (was != nil && was.Status == now.Status) {
		return
	}
	kind := corev1.EventTypeNormal
	if now.Status != "True" && now.Reason != v1alpha1.ReasonProgressing && now.Reason != v1alpha1.ReasonDeleting {
		kind = corev1.EventTypeWarning
	}
	r.Recorder.Eventf(h, kind, now.Reason, "Ready is %s: %s", now.Status, now.Message)
}
