package main

import (
	"slices"
	"strings"

	"github.com/medledger/medledger/plugins/sdk"
)

type registerPartnerArgs struct {
	MSPID           string   `json:"mspId"`
	Name            string   `json:"name"`
	Address         string   `json:"address"`
	GLN             string   `json:"gln"`
	Locations       []string `json:"locations"`
	Roles           []string `json:"roles"`
	CompanyPrefixes []string `json:"companyPrefixes"`
	License         string   `json:"license"`
}

// registerPartner adds an authorized trading partner. Only a regulator's admin may; the very first partner of an
// empty registry must be the calling regulator's own organisation (the consortium does this once at setup).
func registerPartner(ctx sdk.Context, a registerPartnerArgs) (Partner, error) {
	id := ctx.Caller()
	if !id.HasRole("admin") || !id.HasAttr("role", roleRegulator) {
		return Partner{}, errf(sdk.PermissionDenied, "registerPartner: only an admin certificate with role=regulator may register partners")
	}
	genesis := true
	for range ctx.RangePrefix("partner/", sdk.PageSize(1)) {
		genesis = false
		break
	}
	if genesis {
		if a.MSPID != id.MSPID || !slices.Contains(a.Roles, roleRegulator) {
			return Partner{}, errf(sdk.FailedPrecondition, "registerPartner: the registry is empty; the first partner must be the caller's own organisation %s as a regulator", id.MSPID)
		}
	} else if _, err := authorize(ctx, "registerPartner", roleRegulator); err != nil {
		return Partner{}, err
	}
	p, err := a.partner()
	if err != nil {
		return Partner{}, err
	}
	if old, err := loadPartner(ctx, p.MSPID); err != nil {
		return Partner{}, err
	} else if old != nil {
		return Partner{}, errf(sdk.AlreadyExists, "trading partner %s is already registered", p.MSPID)
	}
	now := ctx.TxTime()
	p.Status, p.RegisteredBy, p.RegisteredAt, p.UpdatedAt = partnerActive, actorOf(id), now, now
	if err := ctx.PutJSON("partner/"+p.MSPID, p); err != nil {
		return Partner{}, err
	}
	return p, ctx.Emit("PartnerRegistered", map[string]any{"mspId": p.MSPID, "roles": p.Roles, "by": id.MSPID, "at": now})
}

// partner validates the arguments and returns the partner they describe, lists sorted and deduplicated.
func (a registerPartnerArgs) partner() (Partner, error) {
	if err := validateID("mspId", a.MSPID); err != nil {
		return Partner{}, err
	}
	if err := validateText("name", a.Name, 200); err != nil {
		return Partner{}, err
	}
	if err := validateText("address", a.Address, 400); err != nil {
		return Partner{}, err
	}
	if err := validateGLN(a.GLN); err != nil {
		return Partner{}, sdk.NewError(sdk.InvalidArgument, "gln: "+err.Error())
	}
	if len(a.Locations) > 50 {
		return Partner{}, errf(sdk.InvalidArgument, "locations: %d GLNs, at most 50", len(a.Locations))
	}
	for _, l := range a.Locations {
		if err := validateGLN(l); err != nil {
			return Partner{}, sdk.NewError(sdk.InvalidArgument, "locations: "+err.Error())
		}
	}
	if len(a.Roles) == 0 {
		return Partner{}, errf(sdk.InvalidArgument, "roles: at least one of %s is required", strings.Join(allRoles, ", "))
	}
	for _, r := range a.Roles {
		if !slices.Contains(allRoles, r) {
			return Partner{}, errf(sdk.InvalidArgument, "roles: %q is not one of %s", r, strings.Join(allRoles, ", "))
		}
	}
	roles := sortedUnique(a.Roles)
	needsPrefix := slices.Contains(roles, roleManufacturer) || slices.Contains(roles, roleRepackager)
	if needsPrefix && len(a.CompanyPrefixes) == 0 {
		return Partner{}, errf(sdk.InvalidArgument, "companyPrefixes: a manufacturer or repackager needs its GS1 company prefixes")
	}
	if len(a.CompanyPrefixes) > 20 {
		return Partner{}, errf(sdk.InvalidArgument, "companyPrefixes: %d prefixes, at most 20", len(a.CompanyPrefixes))
	}
	for _, c := range a.CompanyPrefixes {
		if err := validateCompanyPrefix(c); err != nil {
			return Partner{}, sdk.NewError(sdk.InvalidArgument, "companyPrefixes: "+err.Error())
		}
	}
	if a.License != "" {
		if err := validateText("license", a.License, 64); err != nil {
			return Partner{}, err
		}
	}
	locs := sortedUnique(a.Locations)
	if locs == nil {
		locs = []string{}
	}
	return Partner{MSPID: a.MSPID, Name: a.Name, Address: a.Address, GLN: a.GLN, Locations: locs, Roles: roles,
		CompanyPrefixes: sortedUnique(a.CompanyPrefixes), License: a.License}, nil
}

type setPartnerStatusArgs struct {
	MSPID  string `json:"mspId"`
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// setPartnerStatus suspends or reinstates a trading partner (e.g. a revoked state license). A suspended
// partner's calls are refused; its product stays where it is.
func setPartnerStatus(ctx sdk.Context, a setPartnerStatusArgs) (Partner, error) {
	c, err := authorize(ctx, "setPartnerStatus", roleRegulator)
	if err != nil {
		return Partner{}, err
	}
	if !c.id.HasRole("admin") {
		return Partner{}, errf(sdk.PermissionDenied, "setPartnerStatus: only an admin certificate may change a partner's status")
	}
	if err := validateID("mspId", a.MSPID); err != nil {
		return Partner{}, err
	}
	if a.Status != partnerActive && a.Status != partnerSuspended {
		return Partner{}, errf(sdk.InvalidArgument, "status %q is not %s or %s", a.Status, partnerActive, partnerSuspended)
	}
	if err := validateText("reason", a.Reason, 500); err != nil {
		return Partner{}, err
	}
	if a.MSPID == c.actor.MSPID {
		return Partner{}, errf(sdk.FailedPrecondition, "setPartnerStatus: a regulator may not change its own organisation's status")
	}
	p, err := loadPartner(ctx, a.MSPID)
	if err != nil {
		return Partner{}, err
	}
	if p == nil {
		return Partner{}, errf(sdk.NotFound, "trading partner %s is not registered", a.MSPID)
	}
	if p.Status == a.Status {
		return Partner{}, errf(sdk.FailedPrecondition, "trading partner %s is already %s", a.MSPID, a.Status)
	}
	now := ctx.TxTime()
	p.Status, p.StatusReason, p.UpdatedAt = a.Status, a.Reason, now
	if err := ctx.PutJSON("partner/"+p.MSPID, p); err != nil {
		return Partner{}, err
	}
	return *p, ctx.Emit("PartnerStatusChanged", map[string]any{"mspId": p.MSPID, "status": p.Status, "by": c.actor.MSPID, "at": now})
}

type mspArgs struct {
	MSPID string `json:"mspId"`
}

// getPartner returns a partner record: the registry is public to the channel, as license databases are.
func getPartner(ctx sdk.Context, a mspArgs) (Partner, error) {
	if err := validateID("mspId", a.MSPID); err != nil {
		return Partner{}, err
	}
	p, err := loadPartner(ctx, a.MSPID)
	if err == nil && p == nil {
		err = errf(sdk.NotFound, "trading partner %s is not registered", a.MSPID)
	}
	if err != nil {
		return Partner{}, err
	}
	return *p, nil
}

type registerProductArgs struct {
	GTIN          string `json:"gtin"`
	NDC           string `json:"ndc"`
	Name          string `json:"name"`
	Strength      string `json:"strength"`
	DosageForm    string `json:"dosageForm"`
	ContainerSize string `json:"containerSize"`
}

// registerProduct records the master data of a GTIN the caller owns.
func registerProduct(ctx sdk.Context, a registerProductArgs) (Product, error) {
	c, err := authorize(ctx, "registerProduct", roleManufacturer, roleRepackager)
	if err != nil {
		return Product{}, err
	}
	if err := validateGTIN(a.GTIN); err != nil {
		return Product{}, sdk.NewError(sdk.InvalidArgument, err.Error())
	}
	for _, f := range []struct{ what, v string }{{"name", a.Name}, {"strength", a.Strength}, {"dosageForm", a.DosageForm}, {"containerSize", a.ContainerSize}} {
		if err := validateText(f.what, f.v, 200); err != nil {
			return Product{}, err
		}
	}
	ndc, err := productNDC(a.GTIN, a.NDC)
	if err != nil {
		return Product{}, err
	}
	if !c.ownsGTIN(a.GTIN) {
		return Product{}, errf(sdk.PermissionDenied, "GTIN %s is not under a GS1 company prefix of %s (%s)", a.GTIN, c.actor.MSPID, strings.Join(c.partner.CompanyPrefixes, ", "))
	}
	t := newTx(ctx, c)
	if old, err := t.product(a.GTIN); err != nil {
		return Product{}, err
	} else if old != nil {
		return Product{}, errf(sdk.AlreadyExists, "product %s is already registered by %s", a.GTIN, old.Owner)
	}
	now := ctx.TxTime()
	p := Product{GTIN: a.GTIN, NDC: ndc, Name: a.Name, Strength: a.Strength, DosageForm: a.DosageForm,
		ContainerSize: a.ContainerSize, Owner: c.actor.MSPID, RegisteredBy: c.actor, RegisteredAt: now}
	if err := ctx.PutJSON("product/"+p.GTIN, p); err != nil {
		return Product{}, err
	}
	return p, ctx.Emit("ProductRegistered", map[string]any{"gtin": p.GTIN, "ndc": p.NDC, "owner": p.Owner, "at": now})
}

// productNDC validates a hyphenated NDC (4-4-2, 5-3-2 or 5-4-1) against an NDC-based GTIN; with none given it
// returns the GTIN's embedded 10 digits.
func productNDC(gtin, ndc string) (string, error) {
	embedded := ndcFromGTIN(gtin)
	if ndc == "" {
		return embedded, nil
	}
	parts := strings.Split(ndc, "-")
	shape := ""
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			shape = "bad"
			break
		}
		shape += string(rune('0' + len(p)))
	}
	if shape != "442" && shape != "532" && shape != "541" {
		return "", errf(sdk.InvalidArgument, "ndc %q is not a 10-digit NDC in 4-4-2, 5-3-2 or 5-4-1 form", ndc)
	}
	if digits := strings.Join(parts, ""); embedded != "" && digits != embedded {
		return "", errf(sdk.InvalidArgument, "ndc %q does not match the NDC %s embedded in GTIN %s", ndc, embedded, gtin)
	}
	return ndc, nil
}
