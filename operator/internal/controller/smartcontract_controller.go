package controller

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/contract"
	"github.com/medledger/medledger/runtime/chaincode"
)

// RBAC the SmartContract controller needs. User ConfigMaps holding modules are read directly (get), never cached.
// +kubebuilder:rbac:groups=medledger.io,resources=smartcontracts,verbs=get;list;watch
// +kubebuilder:rbac:groups=medledger.io,resources=smartcontracts/status,verbs=patch
// +kubebuilder:rbac:groups=medledger.io,resources=consortia,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch

// ContractLedger is how the SmartContract controller reads and writes a consortium's contract registry (wasmcc
// on its channel). The Fabric implementation submits through the Gateway with the members' governance identities;
// it is not wired in yet (see the session report), and without one the controller stops at Deploying.
type ContractLedger interface {
	// Get returns the registry entry of name on c's channel, nil when name is not deployed.
	Get(ctx context.Context, c *v1alpha1.Consortium, name string) (*chaincode.Entry, error)
	// Submit sends deploy or upgrade with spec and the module bytes, waits for the commit and returns the
	// committed entry and its block. A refused endorsement returns a *contract.Failure with EndorsementFailed,
	// an invalid commit one with DeployFailed.
	Submit(ctx context.Context, c *v1alpha1.Consortium, action contract.Action, spec chaincode.DeploySpec, module []byte) (chaincode.Entry, int64, error)
}

// SmartContractReconciler fetches a SmartContract's module, validates it with the runtime's gate and deploys it
// through Ledger, reporting every step as a condition (package contract computes them).
//
// Deleting a SmartContract does not touch the ledger: wasmcc has no retire function, and code on a ledger is
// history that cannot be removed; the contract stays callable. So there is no finalizer.
type SmartContractReconciler struct {
	// Client reads SmartContracts and Consortia from the cache; APIReader reads the users' ConfigMaps directly.
	Client    client.Client
	APIReader client.Reader
	Recorder  record.EventRecorder
	// Validator is the runtime's gate, normally an *engine.Engine.
	Validator contract.Validator
	// HTTPClient downloads URL sources; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Ledger reaches the consortium's contract registry; nil stops at Deploying.
	Ledger ContractLedger
	// Clock returns "now"; nil means time.Now.
	Clock func() time.Time
	// Retry is how soon a retryable failure (missing ConfigMap, download error, consortium not ready) is looked
	// at again; 0 means 30 seconds.
	Retry time.Duration
}

// SetupWithManager registers the controller: it watches SmartContracts (spec changes) and Consortia (which
// become ready for deployment).
//
// # Errors
//   - the controller cannot be built.
func (r *SmartContractReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("smartcontract").
		For(&v1alpha1.SmartContract{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&v1alpha1.Consortium{}, handler.EnqueueRequestsFromMapFunc(r.contractsOfConsortium)).
		WithOptions(controller.Options{MaxConcurrentReconciles: 2}).
		Complete(r)
}

func (r *SmartContractReconciler) contractsOfConsortium(ctx context.Context, o client.Object) []reconcile.Request {
	var list v1alpha1.SmartContractList
	if err := r.Client.List(ctx, &list); err != nil {
		log.FromContext(ctx).Error(err, "listing SmartContracts")
		return nil
	}
	var out []reconcile.Request
	for i := range list.Items {
		if ns, n := contract.ConsortiumKey(&list.Items[i]); ns == o.GetNamespace() && n == o.GetName() {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
		}
	}
	return out
}

func (r *SmartContractReconciler) now() time.Time {
	if r.Clock != nil {
		return r.Clock()
	}
	return time.Now()
}

// Reconcile runs fetch → validate → consortium and name checks → deploy, stopping at the first failure, and
// patches status when it changed. Nothing reaches the ledger unless every earlier step passed.
func (r *SmartContractReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var sc v1alpha1.SmartContract
	if err := r.Client.Get(ctx, req.NamespacedName, &sc); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	orig := sc.DeepCopy()
	before := &orig.Status
	obs, err := r.observe(ctx, &sc)
	contract.ApplyStatus(&sc, obs, r.now())
	if err == nil && (obs.Failure == nil || !obs.Failure.Retry) {
		sc.Status.ObservedGeneration = sc.Generation
	}
	if !equality.Semantic.DeepEqual(before, &sc.Status) {
		if perr := r.Client.Status().Patch(ctx, &sc, client.MergeFrom(orig)); perr != nil {
			return ctrl.Result{}, perr
		}
		if obs.Failure != nil && (before.Phase != sc.Status.Phase) && r.Recorder != nil {
			r.Recorder.Event(&sc, corev1.EventTypeWarning, obs.Failure.Reason, obs.Failure.Message)
		}
	}
	switch {
	case err != nil:
		return ctrl.Result{}, err
	case obs.Failure != nil && obs.Failure.Retry:
		return ctrl.Result{RequeueAfter: r.retry()}, nil
	}
	return ctrl.Result{}, nil
}

func (r *SmartContractReconciler) retry() time.Duration {
	if r.Retry > 0 {
		return r.Retry
	}
	return 30 * time.Second
}

// observe runs the steps; a returned error is the API server's or the ledger's, not the user's.
func (r *SmartContractReconciler) observe(ctx context.Context, sc *v1alpha1.SmartContract) (contract.Observation, error) {
	var obs contract.Observation
	in := contract.Inputs{HTTPClient: r.HTTPClient}
	if src := sc.Spec.Source.ConfigMap; src != nil {
		var cm corev1.ConfigMap
		err := r.APIReader.Get(ctx, types.NamespacedName{Namespace: sc.Namespace, Name: src.Name}, &cm)
		switch {
		case err == nil:
			in.ConfigMap = &cm
		case !apierrors.IsNotFound(err):
			return obs, fmt.Errorf("reading ConfigMap %s: %w", src.Name, err)
		}
	}
	m, f := contract.Fetch(ctx, sc.Spec.Source, in)
	if f != nil {
		obs.Failure = f
		return obs, nil //nolint:nilerr // a Failure goes into status as a condition; retrying cannot fix it
	}
	obs.Module = &m
	info, f := contract.Validate(r.Validator, m)
	if f != nil {
		obs.Failure = f
		return obs, nil //nolint:nilerr // a Failure goes into status as a condition; retrying cannot fix it
	}
	obs.Info = &info

	ns, name := contract.ConsortiumKey(sc)
	var cons v1alpha1.Consortium
	consortium := &cons
	if err := r.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, &cons); apierrors.IsNotFound(err) {
		consortium = nil
	} else if err != nil {
		return obs, err
	}
	if obs.Failure = contract.CheckConsortium(sc, consortium); obs.Failure != nil {
		return obs, nil //nolint:nilerr // a Failure goes into status as a condition; retrying cannot fix it
	}
	var all v1alpha1.SmartContractList
	if err := r.Client.List(ctx, &all); err != nil {
		return obs, err
	}
	if obs.Failure = contract.CheckNameConflict(sc, all.Items); obs.Failure != nil {
		return obs, nil //nolint:nilerr // a Failure goes into status as a condition; retrying cannot fix it
	}
	spec, f := contract.DeploySpec(sc, m, v1alpha1.ContractLimits{})
	if f != nil {
		obs.Failure = f
		return obs, nil //nolint:nilerr // a Failure goes into status as a condition; retrying cannot fix it
	}
	if r.Ledger == nil {
		return obs, nil // no Fabric connection configured: stays Deploying
	}
	return r.deploy(ctx, sc, consortium, m, spec, obs)
}

// deploy reads the registry, and submits deploy or upgrade when spec.version is not there yet.
func (r *SmartContractReconciler) deploy(ctx context.Context, sc *v1alpha1.SmartContract, c *v1alpha1.Consortium, m contract.Module, spec chaincode.DeploySpec, obs contract.Observation) (contract.Observation, error) {
	entry, err := r.Ledger.Get(ctx, c, sc.Spec.ContractName)
	if err != nil {
		return obs, fmt.Errorf("reading contract %s from the ledger: %w", sc.Spec.ContractName, err)
	}
	if entry != nil {
		obs.Deployed = contract.Deployed(*entry, sc.Status.DeployedBlock)
	}
	action, f := contract.Plan(sc, m, entry)
	if f != nil || action == contract.ActionNone {
		obs.Failure = f
		return obs, nil //nolint:nilerr // a Failure goes into status as a condition; retrying cannot fix it
	}
	committed, block, err := r.Ledger.Submit(ctx, c, action, spec, m.Bytes)
	if f := (*contract.Failure)(nil); errors.As(err, &f) {
		obs.Failure = f
		return obs, nil
	} else if err != nil {
		return obs, err
	}
	obs.Deployed = contract.Deployed(committed, block)
	return obs, nil
}
