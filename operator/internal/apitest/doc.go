// Package apitest checks the medledger.io/v1alpha1 CRDs against a real kube-apiserver and etcd (envtest, built
// from source into bin/k8s by `make tools`): every CEL rule rejects a bad manifest with the message written for
// it, the samples in config/samples are accepted, defaults are applied and immutable fields are refused on update.
//
// The package holds only tests; this file exists so that the package has a name outside them.
package apitest
