// Command consent is the medledger patient-consent contract, modelled on HL7 FHIR R4 Consent: patients (or their
// registered delegates) grant, update and revoke consents with nested permit/deny provisions; organisations ask
// `check` whether an access is permitted and get the provision that decided; on-duty clinicians can break the
// glass for emergency treatment; every decision lands in the patient's audit trail. It also registers research
// studies that patients opt in to and out of, and anchors off-chain clinical records by hash and location.
//
// No protected health information reaches the ledger: patients are 64-hex pseudonyms, delegates are hashes of
// their Fabric identity, records are hashes plus pointers. See README.md for the function reference.
package main

import (
	"encoding/json"
	"fmt"

	"github.com/medledger/medledger/plugins/sdk"
)

func init() {
	// Consents.
	sdk.Register("grant", grant)
	sdk.Register("update", update)
	sdk.Register("revoke", revoke)
	sdk.Register("get", get)
	sdk.Register("list", list)
	// Delegates.
	sdk.Register("registerDelegate", registerDelegate)
	sdk.Register("removeDelegate", removeDelegate)
	sdk.Register("listDelegates", listDelegates)
	// Access decisions.
	sdk.Register("check", check)
	sdk.Register("breakGlass", breakGlass)
	sdk.Register("auditTrail", auditTrail)
	// Research.
	sdk.Register("registerStudy", registerStudy)
	sdk.Register("getStudy", getStudy)
	sdk.Register("closeStudy", closeStudy)
	sdk.Register("optIn", optIn)
	sdk.Register("optOut", optOut)
	sdk.Register("listStudies", listStudies)
	// Record anchors.
	sdk.Register("registerAnchor", registerAnchor)
	sdk.Register("verifyAnchor", verifyAnchor)
}

// jsonValue decodes a value read by a range scan; a value that does not fit is a corrupt ledger, reported as
// internal with the key.
func jsonValue(key string, v []byte, into any) error {
	if err := json.Unmarshal(v, into); err != nil {
		return sdk.NewError(sdk.Internal, fmt.Sprintf("state key %q does not hold the expected JSON: %v", key, err))
	}
	return nil
}

func main() {}
