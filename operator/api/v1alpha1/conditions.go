package v1alpha1

// Condition types and reasons shared by every kind. Kind-specific ones live beside each kind's types
// (hospital_conditions.go, consortium_conditions.go, smartcontract_conditions.go). Reasons are CamelCase words
// that tell a user what happened and, for failures, what to fix; the condition message carries the details.

// ConditionReady summarises an object: True when everything the object asks for exists and works, False with the
// reason of the first thing that does not. Every kind has it; `kubectl wait --for=condition=Ready` waits on it.
const ConditionReady = "Ready"

const (
	// ReasonReconciled surfaces on Ready=True when the object's spec is fully realised and healthy.
	ReasonReconciled = "Reconciled"

	// ReasonProgressing surfaces when the operator has applied a change and waits for it to settle (pods
	// starting, a rollout, a transaction committing). It clears by itself; no action is needed unless it persists.
	ReasonProgressing = "Progressing"

	// ReasonDeleting surfaces while the object is being deleted and the operator is removing what it created.
	ReasonDeleting = "Deleting"

	// ReasonReferenceNotFound surfaces when a referenced object (Consortium, Hospital, ConfigMap, Secret, issuer)
	// does not exist. Create it or fix the reference; the operator retries when it appears.
	ReasonReferenceNotFound = "ReferenceNotFound"

	// ReasonInvalidSpec surfaces when the spec passes the API server's static checks but is still unusable, for
	// example an MSP ID already used by another Hospital. The message names the field; edit the object.
	ReasonInvalidSpec = "InvalidSpec"

	// ReasonInternalError surfaces when an unexpected error stops reconciliation; the operator retries with
	// back-off and the message and operator logs say more.
	ReasonInternalError = "InternalError"
)
