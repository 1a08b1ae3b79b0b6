package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/medledger/medledger/plugins/sdk"
)

// Certificate attributes (Fabric CA) the contract reads.
const (
	attrRole           = "role"
	attrPatientID      = "patientId"
	attrOnDuty         = "onDuty"
	attrPractitionerID = "practitionerId"
)

// Values of the role attribute the contract knows.
const (
	rolePatient    = "patient"
	roleGuardian   = "guardian"
	roleClinician  = "clinician"
	roleResearcher = "researcher"
	roleRegulator  = "regulator"
	roleProvider   = "provider"
)

// NodeOU roles.
const (
	ouClient = "client"
	ouAdmin  = "admin"
)

func notFound(format string, args ...any) error {
	return sdk.NewError(sdk.NotFound, fmt.Sprintf(format, args...))
}

func denied(format string, args ...any) error {
	return sdk.NewError(sdk.PermissionDenied, fmt.Sprintf(format, args...))
}

func precondition(format string, args ...any) error {
	return sdk.NewError(sdk.FailedPrecondition, fmt.Sprintf(format, args...))
}

func exists(format string, args ...any) error {
	return sdk.NewError(sdk.AlreadyExists, fmt.Sprintf(format, args...))
}

// hashIdentity is how the ledger knows a delegate: the SHA-256 of their Fabric identity string
// ("x509::<subject>::<issuer>"), so no name from a certificate subject is stored.
func hashIdentity(id sdk.Identity) string {
	sum := sha256.Sum256([]byte(id.ID))
	return hex.EncodeToString(sum[:])
}

// mspSource is the Meta.source of a resource written by a member of msp.
func mspSource(msp string) string { return "urn:medledger:msp:" + msp }

// actingFor authorises the caller to act for patient (to do what, named in errors) and returns who performs the
// act: Patient/<id> for the patient themselves (NodeOU client, role=patient, patientId=<id>), or
// RelatedPerson/<identityHash> for a delegate registered for the patient (NodeOU client, role=guardian) whose
// registration covers the transaction time.
func actingFor(ctx sdk.Context, patient, what string) (Reference, error) {
	c := ctx.Caller()
	role, _ := c.Attr(attrRole)
	switch {
	case !c.HasRole(ouClient):
		return Reference{}, denied("%s needs a client identity of the patient or their delegate (NodeOU is %q)", what, c.Role)
	case role == rolePatient:
		if pid, _ := c.Attr(attrPatientID); pid != patient {
			return Reference{}, denied("%s: the caller's patientId attribute does not name this patient", what)
		}
		return Reference{Reference: "Patient/" + patient}, nil
	case role == roleGuardian:
		h := hashIdentity(c)
		if err := activeDelegate(ctx, patient, h, c.MSPID, what); err != nil {
			return Reference{}, err
		}
		return Reference{Reference: "RelatedPerson/" + h}, nil
	}
	return Reference{}, denied("%s needs the patient (attribute role=patient) or a registered delegate (role=guardian); the caller's role attribute is %q", what, role)
}

// activeDelegate checks that identity hash h of organisation msp is registered as patient's delegate now.
func activeDelegate(ctx sdk.Context, patient, h, msp, what string) error {
	var d Delegate
	found, err := ctx.GetJSON(delegateKey(patient, h), &d)
	switch {
	case err != nil:
		return err
	case !found || d.MSPID != msp:
		return denied("%s: the caller is not a registered delegate of this patient", what)
	case d.Period != nil && !d.Period.contains(ctx.TxTime()):
		return denied("%s: the caller's delegation for this patient is not in force at %s (period %s to %s)", what,
			ctx.TxTime().Format(rfc3339), fmtTime(d.Period.Start), fmtTime(d.Period.End))
	}
	return nil
}

// fmtTime formats a period end for a message; a zero time is an open end.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "open"
	}
	return t.Format(rfc3339)
}

// patientSide reports whether the caller may act for patient (see actingFor) without failing the call; other
// readers are judged by the caller of patientSide.
func patientSide(ctx sdk.Context, patient string) (bool, error) {
	_, err := actingFor(ctx, patient, "")
	if err == nil {
		return true, nil
	}
	if isCode(err, sdk.PermissionDenied) {
		return false, nil
	}
	return false, err
}

// isCode reports whether err is an *sdk.Error with code.
func isCode(err error, code sdk.Code) bool {
	var e *sdk.Error
	return errors.As(err, &e) && e.Code == code
}

// isMember reports whether the caller is a client or admin (not a peer or orderer) of an organisation.
func isMember(c sdk.Identity) bool { return c.HasRole(ouClient, ouAdmin) }

// isRegulator reports whether the caller is a client whose role attribute is regulator.
func isRegulator(c sdk.Identity) bool {
	return c.HasRole(ouClient) && c.HasAttr(attrRole, roleRegulator)
}

// mayAnchor reports whether the caller may register record anchors: an admin, or a client whose role attribute
// is clinician or provider.
func mayAnchor(c sdk.Identity) bool {
	if c.HasRole(ouAdmin) {
		return true
	}
	role, _ := c.Attr(attrRole)
	return c.HasRole(ouClient) && (role == roleClinician || role == roleProvider)
}

// isStaff reports whether the caller acts for their organisation: a member whose role attribute is not patient
// or guardian. Patients and guardians hold certificates of a hospital's MSP too, but act only for themselves or
// their wards; they must not inherit what a consent grants "Organization/<their hospital>".
func isStaff(c sdk.Identity) bool {
	role, _ := c.Attr(attrRole)
	return isMember(c) && role != rolePatient && role != roleGuardian
}
