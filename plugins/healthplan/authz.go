package main

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/medledger/medledger/plugins/sdk"
)

// Certificate attributes (Fabric CA) the contract reads.
const (
	attrRole      = "role"
	attrPatientID = "patientId"
)

// Values of the role attribute the contract knows.
const (
	rolePayer     = "payer"
	roleProvider  = "provider"
	rolePatient   = "patient"
	roleRegulator = "regulator"
)

// NodeOU roles.
const (
	ouClient = "client"
	ouAdmin  = "admin"
)

// party is who a caller is with respect to one member's data.
type party string

const (
	partyNone      party = ""
	partyPayer     party = "payer"     // the member's payer (role=payer in the payer's MSP)
	partyProvider  party = "provider"  // any provider organisation (role=provider); callers check which
	partyMember    party = "member"    // the member themselves (role=patient, patientId=<memberId>)
	partyRegulator party = "regulator" // role=regulator
)

// callerHash is how the ledger records who acted: the SHA-256 of the Fabric identity string, so no name from a
// certificate subject is stored, yet an auditor holding the certificate can match it.
func callerHash(id sdk.Identity) string {
	sum := sha256.Sum256([]byte(id.ID))
	return hex.EncodeToString(sum[:])
}

// callerMSP checks that the caller's MSP id can be used as a key segment, and returns it.
func callerMSP(c sdk.Identity) (string, error) {
	if err := token("caller MSP id", c.MSPID, 128); err != nil {
		return "", denied("the caller's MSP id %q cannot identify an organisation on this ledger", c.MSPID)
	}
	return c.MSPID, nil
}

// asPayer authorises the caller as a payer organisation: attribute role=payer on a client or admin identity
// (admin only, when adminOnly). It returns the payer's MSP id.
func asPayer(ctx sdk.Context, what string, adminOnly bool) (string, error) {
	c := ctx.Caller()
	role, _ := c.Attr(attrRole)
	switch {
	case role != rolePayer:
		return "", denied("%s needs a payer identity (attribute role=payer); the caller's role attribute is %q", what, role)
	case adminOnly && !c.HasRole(ouAdmin):
		return "", denied("%s needs a payer admin identity (NodeOU admin); the caller's NodeOU is %q", what, c.Role)
	case !c.HasRole(ouClient, ouAdmin):
		return "", denied("%s needs a client or admin identity; the caller's NodeOU is %q", what, c.Role)
	}
	return callerMSP(c)
}

// asProvider authorises the caller as a provider organisation: attribute role=provider on a client identity.
// It returns the provider's MSP id.
func asProvider(ctx sdk.Context, what string) (string, error) {
	c := ctx.Caller()
	role, _ := c.Attr(attrRole)
	switch {
	case role != roleProvider:
		return "", denied("%s needs a provider identity (attribute role=provider); the caller's role attribute is %q", what, role)
	case !c.HasRole(ouClient):
		return "", denied("%s needs a client identity; the caller's NodeOU is %q", what, c.Role)
	}
	return callerMSP(c)
}

// classify says who the caller is with respect to member m (partyNone if nobody the contract knows).
func classify(c sdk.Identity, m *Member) party {
	role, _ := c.Attr(attrRole)
	if !c.HasRole(ouClient, ouAdmin) {
		return partyNone
	}
	switch role {
	case rolePayer:
		if c.MSPID == m.PayerMSPID {
			return partyPayer
		}
	case roleProvider:
		if c.HasRole(ouClient) {
			return partyProvider
		}
	case rolePatient:
		if pid, _ := c.Attr(attrPatientID); c.HasRole(ouClient) && pid == m.MemberID {
			return partyMember
		}
	case roleRegulator:
		return partyRegulator
	}
	return partyNone
}

// reader authorises the caller to read what about member m: the member's payer and the member always may,
// providers only when provider names their organisation (or provider is "*": any provider), regulators only
// when regulator is set. It returns the caller's party.
func reader(ctx sdk.Context, m *Member, what, provider string, regulator bool) (party, error) {
	c := ctx.Caller()
	p := classify(c, m)
	switch {
	case p == partyPayer || p == partyMember:
		return p, nil
	case p == partyProvider && (provider == "*" || provider == c.MSPID):
		return p, nil
	case p == partyRegulator && regulator:
		return p, nil
	}
	who := "the member's payer (role=payer), the member (role=patient with their patientId)"
	if provider == "*" {
		who += ", a provider (role=provider)"
	} else if provider != "" {
		who += ", the provider organisation " + provider
	}
	if regulator {
		who += ", a regulator (role=regulator)"
	}
	role, _ := c.Attr(attrRole)
	return partyNone, denied("%s may be read only by %s; the caller (%s, NodeOU %q, role attribute %q) is none of them",
		what, who, c.MSPID, c.Role, role)
}
