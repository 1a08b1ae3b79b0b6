// Package v1alpha1 holds the medledger.io/v1alpha1 API: Hospital (one organisation's Fabric peers, identity and
// contract runtime), Consortium (an ordering service and one shared channel between hospitals) and SmartContract
// (a WebAssembly contract deployed to a consortium's ledger).
//
// The doc comments on these types are the `kubectl explain` text, and the validation markers and CEL rules on
// them are enforced by the API server itself, so a bad manifest is rejected at `kubectl apply` time with a message
// naming the field and the fix. Rules that need other objects (does the Consortium exist, is an MSP ID unique
// across hospitals) cannot be checked statically and surface as conditions instead.
//
// +kubebuilder:object:generate=true
// +groupName=medledger.io
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the API group and version of every kind in this package: medledger.io/v1alpha1.
	GroupVersion = schema.GroupVersion{Group: "medledger.io", Version: "v1alpha1"}

	// SchemeBuilder registers this package's kinds with a runtime.Scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds Hospital, Consortium and SmartContract (and their lists) to a runtime.Scheme.
	//
	// # Errors
	//
	// It fails only if a kind is already registered in the scheme under a different Go type.
	AddToScheme = SchemeBuilder.AddToScheme
)
