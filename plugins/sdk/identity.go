package sdk

import (
	"encoding/json"
	"fmt"
)

// Identity is the caller of a transaction as the host reports it (ABI.md §5): the submitting client's X.509
// identity. Contracts authorise from it, never from arguments.
type Identity struct {
	// MSPID is the caller's organisation, e.g. "Hospital1MSP".
	MSPID string `json:"mspId"`
	// ID is the unique identity string, "x509::<subject>::<issuer>".
	ID string `json:"id"`
	// Subject is the certificate subject DN, e.g. "CN=alice,OU=client".
	Subject string `json:"subject"`
	// Issuer is the issuing CA's DN.
	Issuer string `json:"issuer"`
	// Role is the Fabric NodeOU: "admin", "client", "peer", "orderer", or "member" when none applies.
	Role string `json:"role"`
	// Attrs are the certificate's Fabric CA attributes (hf.* and custom); never nil after parsing.
	Attrs map[string]string `json:"attrs"`
}

// HasRole reports whether the caller's NodeOU role is one of roles.
func (id Identity) HasRole(roles ...string) bool {
	for _, r := range roles {
		if id.Role == r {
			return true
		}
	}
	return false
}

// Attr returns the certificate attribute name and whether it is present.
func (id Identity) Attr(name string) (string, bool) {
	v, ok := id.Attrs[name]
	return v, ok
}

// HasAttr reports whether attribute name is present with exactly value, e.g. HasAttr("role", "clinician").
func (id Identity) HasAttr(name, value string) bool {
	v, ok := id.Attrs[name]
	return ok && v == value
}

// IsMSP reports whether the caller belongs to one of the organisations mspIDs.
func (id Identity) IsMSP(mspIDs ...string) bool {
	for _, m := range mspIDs {
		if id.MSPID == m {
			return true
		}
	}
	return false
}

// Build encoding/json's codec for Identity during module initialisation, so it is in the snapshot every call
// starts from (see warmJSON).
func init() { _, _ = json.Marshal(&Identity{}) }

// parseIdentity decodes the host's caller JSON. The host always sends mspId and id; their absence means the
// host and guest disagree about the ABI, which must not pass as an anonymous caller.
func parseIdentity(b []byte) (Identity, error) {
	var id Identity
	if err := json.Unmarshal(b, &id); err != nil {
		return Identity{}, fmt.Errorf("caller identity from host is not valid JSON: %w", err)
	}
	if id.MSPID == "" || id.ID == "" {
		return Identity{}, fmt.Errorf("caller identity from host lacks mspId or id: %q", b)
	}
	if id.Attrs == nil {
		id.Attrs = map[string]string{}
	}
	return id, nil
}
