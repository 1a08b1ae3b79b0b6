package main

import (
	"github.com/medledger/medledger/plugins/sdk"
)

const (
	evDelegateRegistered = "DelegateRegistered"
	evDelegateRemoved    = "DelegateRemoved"
)

type delegateInput struct {
	Patient      string  `json:"patient"`
	IdentityHash string  `json:"identityHash"`
	MSPID        string  `json:"mspId"`
	Relationship Coding  `json:"relationship"`
	Period       *Period `json:"period,omitempty"`
}

type delegateRef struct {
	Patient      string `json:"patient"`
	IdentityHash string `json:"identityHash"`
}

type delegateEvent struct {
	Patient      string `json:"patient"`
	IdentityHash string `json:"identityHash"`
	MSPID        string `json:"mspId"`
	Relationship string `json:"relationship,omitempty"`
	By           string `json:"by"`
}

// registrar authorises registering or removing a patient's delegates and names who does it: the patient
// themselves, or an admin of a hospital (whose registration desk checked the guardianship papers off-chain).
// Delegates cannot appoint delegates.
func registrar(ctx sdk.Context, patient, what string) (string, error) {
	c := ctx.Caller()
	if c.HasRole(ouAdmin) {
		return refOrganization + "/" + c.MSPID, nil
	}
	if c.HasRole(ouClient) && c.HasAttr(attrRole, rolePatient) && c.HasAttr(attrPatientID, patient) {
		return "Patient/" + patient, nil
	}
	return "", denied("%s needs the patient themselves (role=patient with their patientId) or an organization admin", what)
}

// registerDelegate lets the person with Fabric identity hash identityHash, of organisation mspId, act for the
// patient (grant, update, revoke, opt in and out, read) during period.
func registerDelegate(ctx sdk.Context, a delegateInput) (Delegate, error) {
	if err := patientID("patient", a.Patient); err != nil {
		return Delegate{}, err
	}
	if err := identityHash("identityHash", a.IdentityHash); err != nil {
		return Delegate{}, err
	}
	if err := token("mspId", a.MSPID); err != nil {
		return Delegate{}, err
	}
	if err := checkCoding("relationship", a.Relationship, relationshipCodes, false); err != nil {
		return Delegate{}, err
	}
	if err := period("period", a.Period); err != nil {
		return Delegate{}, err
	}
	if a.Period != nil && !a.Period.End.IsZero() && a.Period.End.Before(ctx.TxTime()) {
		return Delegate{}, precondition("period ends %s, before now (%s)", a.Period.End.Format(rfc3339), ctx.TxTime().Format(rfc3339))
	}
	by, err := registrar(ctx, a.Patient, "registerDelegate")
	if err != nil {
		return Delegate{}, err
	}
	if _, found := ctx.GetState(delegateKey(a.Patient, a.IdentityHash)); found {
		return Delegate{}, exists("this identity is already a delegate of the patient (remove it first to change it)")
	}
	d := Delegate{Patient: a.Patient, IdentityHash: a.IdentityHash, MSPID: a.MSPID, Relationship: a.Relationship,
		Period: a.Period, Registered: ctx.TxTime(), RegisteredBy: by}
	if err := ctx.PutJSON(delegateKey(d.Patient, d.IdentityHash), d); err != nil {
		return Delegate{}, err
	}
	return d, ctx.Emit(evDelegateRegistered, delegateEvent{Patient: d.Patient, IdentityHash: d.IdentityHash,
		MSPID: d.MSPID, Relationship: d.Relationship.Code, By: by})
}

// removeDelegate ends a delegation.
func removeDelegate(ctx sdk.Context, a delegateRef) (Delegate, error) {
	if err := patientID("patient", a.Patient); err != nil {
		return Delegate{}, err
	}
	if err := identityHash("identityHash", a.IdentityHash); err != nil {
		return Delegate{}, err
	}
	by, err := registrar(ctx, a.Patient, "removeDelegate")
	if err != nil {
		return Delegate{}, err
	}
	var d Delegate
	found, err := ctx.GetJSON(delegateKey(a.Patient, a.IdentityHash), &d)
	if err != nil {
		return Delegate{}, err
	}
	if !found {
		return Delegate{}, notFound("this identity is not a delegate of the patient")
	}
	ctx.DelState(delegateKey(a.Patient, a.IdentityHash))
	return d, ctx.Emit(evDelegateRemoved, delegateEvent{Patient: d.Patient, IdentityHash: d.IdentityHash, MSPID: d.MSPID, By: by})
}

// listDelegates returns the patient's delegates in identity-hash order, to the patient, their delegates and
// organization admins.
func listDelegates(ctx sdk.Context, a patientArgs) ([]Delegate, error) {
	if err := patientID("patient", a.Patient); err != nil {
		return nil, err
	}
	full, err := patientSide(ctx, a.Patient)
	if err != nil {
		return nil, err
	}
	if !full && !ctx.Caller().HasRole(ouAdmin) {
		return nil, denied("the patient's delegates may be listed by the patient, their delegates and organization admins")
	}
	out := []Delegate{}
	for key, v := range ctx.RangePrefix(prefixDelegate + a.Patient + "/") {
		var d Delegate
		if err := jsonValue(key, v, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
