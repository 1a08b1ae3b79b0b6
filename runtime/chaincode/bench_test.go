package chaincode_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
	"github.com/medledger/medledger/runtime/chaincode"
	"github.com/medledger/medledger/runtime/ledger/fabricstub/peertest"
)

// benchConsent is a patient-privacy consent: deny, except treatment access by Hospital2MSP.
func benchConsent(patient, id string) string {
	const cs = "http://terminology.hl7.org/CodeSystem/"
	code := func(system, c string) map[string]any {
		return map[string]any{"coding": []any{map[string]string{"system": system, "code": c}}}
	}
	b, _ := json.Marshal(map[string]any{"resourceType": "Consent", "id": id, "status": "active",
		"scope": code(cs+"consentscope", "patient-privacy"), "category": []any{code("http://loinc.org", "59284-0")},
		"patient": map[string]string{"reference": "Patient/" + patient}, "organization": []any{map[string]string{"reference": "Organization/Hospital2MSP"}},
		"policyRule": code(cs+"v3-ActCode", "OPTIN"),
		"provision": map[string]any{"type": "deny", "provision": []any{map[string]any{"type": "permit",
			"actor":   []any{map[string]any{"role": code(cs+"v3-ParticipationType", "PRCP"), "reference": map[string]string{"reference": "Organization/Hospital2MSP"}}},
			"action":  []any{code(cs+"consentaction", "access")},
			"purpose": []any{map[string]string{"system": cs + "v3-ActReason", "code": "TREAT"}}}}},
	})
	return string(b)
}

// BenchmarkChaincode_ConsentGrantCheck is wasmcc's own cost of the consent grant + check pair of the Fabric
// benchmark (operator/internal/e2e), without the network: the shim, the registry lookup, identity parsing and
// the sandboxed contract call, against the in-process peer. One op is one grant and one check.
func BenchmarkChaincode_ConsentGrantCheck(b *testing.B) {
	wasm := sdktest.Build(b, "../../plugins/consent")
	e := newEnv(b, chaincode.NewConfig(), peertest.Options{})
	e.govern(b)
	e.deploy(b, "consent", "1", wasm, nil)
	dr := peertest.MustIdentity("Hospital2MSP", "dr-osei", "client", map[string]string{"role": "clinician", "practitionerId": "pr-1"})
	// One patient per op, as in the Fabric benchmark: check reads all of a patient's consents.
	patients := make([]string, b.N)
	ids := make([]peertest.Identity, b.N)
	for i := range b.N {
		patients[i] = sha(fmt.Appendf(nil, "patient-%d", i))
		ids[i] = peertest.MustIdentity("Hospital1MSP", "portal-user", "client", map[string]string{"role": "patient", "patientId": patients[i]})
	}
	b.ResetTimer()
	for i := range b.N {
		e.ok(b, ids[i], args("invoke", "consent", "grant", benchConsent(patients[i], "c1")), nil)
		check := `{"patient":"` + patients[i] + `","action":"access","purpose":"TREAT","class":{"system":"http://hl7.org/fhir/resource-types","code":"Observation"}}`
		e.ok(b, dr, args("invoke", "consent", "check", check), nil)
	}
}
