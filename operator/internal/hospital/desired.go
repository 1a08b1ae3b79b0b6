package hospital

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Object is a Kubernetes object with metadata, as the desired-state functions return them.
type Object interface {
	metav1.Object
	runtime.Object
}

// Desired returns every object the hospital owns, in apply order (configuration and Secrets before the
// workloads that mount them), given its identity and the wasmcc package IDs of its joined channels. The built-in
// CA Secret is not among them: it is created once and never applied (see [CASecret]).
//
// # Errors
//   - the identity lacks a peer's or the admin's credentials, or core.yaml cannot be rendered.
func Desired(m *Model, id *Identity, packageIDs []string) ([]Object, error) {
	peerSecret, err := PeerIdentitySecret(m, id)
	if err != nil {
		return nil, err
	}
	admin, err := AdminSecret(m, id)
	if err != nil {
		return nil, err
	}
	peerConfig, err := PeerConfigMap(m)
	if err != nil {
		return nil, err
	}
	runtimeConfig := WasmccConfigMap(m, packageIDs)
	out := []Object{CACertsSecret(m, id.CA), peerSecret, admin, peerConfig, runtimeConfig}
	for _, s := range PeerServices(m) {
		out = append(out, s)
	}
	out = append(out, WasmccService(m))
	out = append(out, PeerStatefulSet(m, ConfigHash(peerConfig), id.Revision), WasmccDeployment(m, ConfigHash(runtimeConfig)))
	for _, p := range NetworkPolicies(m) {
		out = append(out, p)
	}
	for _, p := range PodDisruptionBudgets(m) {
		out = append(out, p)
	}
	return out, nil
}
