package controller

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/medledger/medledger/operator/internal/hospital"
)

// apply makes obj a controlled child of owner and server-side applies it, forcing ownership of its fields (the
// operator is the only writer of what it declares). It returns the object as stored, status included.
//
// Package hospital builds typed objects, which are easy to read and test; they are turned into unstructured
// content here because an apply request must only hold the fields the operator means to own. Typed JSON adds a
// few zero values (creationTimestamp: null, status: {}), which are dropped.
func (r *HospitalReconciler) apply(ctx context.Context, owner client.Object, obj hospital.Object) (*unstructured.Unstructured, error) {
	if owner != nil {
		if err := controllerutil.SetControllerReference(owner, obj, r.Scheme); err != nil {
			return nil, err
		}
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	delete(content, "status")
	dropNulls(content)
	if spec, ok := content["spec"].(map[string]any); ok {
		if claims, ok := spec["volumeClaimTemplates"].([]any); ok {
			for _, c := range claims {
				delete(c.(map[string]any), "status")
			}
		}
	}
	u := &unstructured.Unstructured{Object: content}
	kind := u.GetKind()
	if err := r.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
		return nil, fmt.Errorf("applying %s %s: %w", kind, obj.GetName(), err)
	}
	return u, nil
}

// dropNulls removes null values, which typed JSON writes for unset structs such as creationTimestamp; in an
// apply request they would mean "remove this field".
func dropNulls(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			dropNulls(e)
		}
	case []any:
		for _, e := range v {
			dropNulls(e)
		}
	}
}

func errorsJoin(errs ...error) error { return errors.Join(errs...) }

// fromUnstructured converts an applied object back to its typed form.
func fromUnstructured[T any](u *unstructured.Unstructured, out *T) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out)
}
