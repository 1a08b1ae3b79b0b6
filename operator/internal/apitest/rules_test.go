package apitest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// refusal is one manifest the API server must refuse: mutate turns a valid object into the bad one (or path and
// value set a raw field, for values the Go types cannot express, such as "365d"), and the server must report want
// (the message written for the rule; for a messageExpression, its rendering) on field.
type refusal[T client.Object] struct {
	name   string
	mutate func(T)
	path   string
	value  any
	field  string
	want   string
}

func refuse[T client.Object](name string, mutate func(T), field, want string) refusal[T] {
	return refusal[T]{name: name, mutate: mutate, field: field, want: want}
}

func refuseRaw[T client.Object](name, path string, value any, field, want string) refusal[T] {
	return refusal[T]{name: name, path: path, value: value, field: field, want: want}
}

// apply makes the bad manifest from a valid object.
func (r refusal[T]) apply(t *testing.T, c client.Client, obj T) *unstructured.Unstructured {
	t.Helper()
	if r.mutate != nil {
		r.mutate(obj)
	}
	gvk, err := apiutil.GVKForObject(obj, c.Scheme())
	if err != nil {
		t.Fatal(err)
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetGroupVersionKind(gvk)
	if r.path != "" {
		if err := unstructured.SetNestedField(u.Object, r.value, strings.Split(r.path, ".")...); err != nil {
			t.Fatalf("setting %s: %v", r.path, err)
		}
	}
	return u
}

// change is one manifest (on create) or edit (on update) the API server must accept, to show that the rules refuse
// only what they mean to; check, when set, inspects what the server stored (defaults, for example).
type change[T client.Object] struct {
	name   string
	mutate func(T)
	check  func(t *testing.T, got T)
}

// requireInvalid fails unless err is a 422 Invalid whose causes include want on field.
func requireInvalid(t *testing.T, err error, field, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("API server accepted the manifest; want refusal on %s: %q", field, want)
	}
	if !apierrors.IsInvalid(err) {
		t.Fatalf("error is not Invalid (422): %v", err)
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Details == nil {
		t.Fatalf("Invalid error without details: %v", err)
	}
	var seen []string
	for _, cause := range status.Status().Details.Causes {
		if cause.Field == field && strings.Contains(cause.Message, want) {
			t.Logf("refused as: %s: %s", cause.Field, cause.Message)
			return
		}
		seen = append(seen, fmt.Sprintf("%s: %s", cause.Field, cause.Message))
	}
	t.Fatalf("no cause on %s containing %q; causes:\n  %s", field, want, strings.Join(seen, "\n  "))
}

// named puts obj in ns under a name unique to the test case, so cases never collide.
func named[T client.Object](obj T, ns string, i int) T {
	obj.SetNamespace(ns)
	obj.SetName(fmt.Sprintf("case-%d", i))
	return obj
}

// checkCreateRefused creates each case's object and requires the refusal it names, and that nothing was stored.
func checkCreateRefused[T client.Object](t *testing.T, ns string, valid func() T, cases []refusal[T]) {
	t.Helper()
	c := apiClient(t)
	ctx := context.Background()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := named(valid(), ns, i)
			requireInvalid(t, c.Create(ctx, tc.apply(t, c, obj)), tc.field, tc.want)
			if err := c.Get(ctx, client.ObjectKeyFromObject(obj), valid()); !apierrors.IsNotFound(err) {
				t.Fatalf("refused object is readable after all (err = %v)", err)
			}
		})
	}
}

// checkUpdateRefused creates a valid object per case, applies the case's change as an update, and requires the
// refusal it names and an unchanged stored object (same resourceVersion).
func checkUpdateRefused[T client.Object](t *testing.T, ns string, valid func() T, cases []refusal[T]) {
	t.Helper()
	c := apiClient(t)
	ctx := context.Background()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := named(valid(), ns, i)
			if err := c.Create(ctx, obj); err != nil {
				t.Fatalf("creating the valid object: %v", err)
			}
			before := obj.GetResourceVersion()
			requireInvalid(t, c.Update(ctx, tc.apply(t, c, obj)), tc.field, tc.want)
			stored := valid()
			if err := c.Get(ctx, client.ObjectKeyFromObject(obj), stored); err != nil {
				t.Fatalf("reading back: %v", err)
			}
			if stored.GetResourceVersion() != before {
				t.Fatalf("refused update changed the object: resourceVersion %s -> %s", before, stored.GetResourceVersion())
			}
		})
	}
}

// checkCreateAccepted creates each case's object and runs its check on what the server stored.
func checkCreateAccepted[T client.Object](t *testing.T, ns string, valid func() T, cases []change[T]) {
	t.Helper()
	c := apiClient(t)
	ctx := context.Background()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := named(valid(), ns, i)
			tc.mutate(obj)
			if err := c.Create(ctx, obj); err != nil {
				t.Fatalf("API server refused a valid manifest: %v", err)
			}
			if tc.check != nil {
				tc.check(t, obj)
			}
		})
	}
}

// checkUpdateAccepted creates a valid object per case and requires the case's change to be accepted as an update.
func checkUpdateAccepted[T client.Object](t *testing.T, ns string, valid func() T, cases []change[T]) {
	t.Helper()
	c := apiClient(t)
	ctx := context.Background()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := named(valid(), ns, i)
			if err := c.Create(ctx, obj); err != nil {
				t.Fatalf("creating the valid object: %v", err)
			}
			tc.mutate(obj)
			if err := c.Update(ctx, obj); err != nil {
				t.Fatalf("API server refused a valid update: %v", err)
			}
			if tc.check != nil {
				tc.check(t, obj)
			}
		})
	}
}
