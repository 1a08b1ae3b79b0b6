package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/medledger/medledger/plugins/sdk"
)

type shipArgs struct {
	ShipmentID           string      `json:"shipmentId"`
	To                   string      `json:"to"`
	ShipTo               string      `json:"shipTo"`
	Objects              []ObjectRef `json:"objects"`
	TransactionDate      string      `json:"transactionDate"`
	PurchaseOrder        string      `json:"purchaseOrder"`
	TransactionStatement bool        `json:"transactionStatement"`
	Location             string      `json:"location"`
	LocationExt          string      `json:"locationExt"`
}

// ship transfers packs and containers to another authorized trading partner (EPCIS ObjectEvent OBSERVE, bizStep
// shipping, disposition in_transit) with DSCSA transaction information, which the contract derives from the
// ledger, and the seller's transaction statement. Recalled or expired product may only go back to the
// manufacturer that owns its GTIN.
func ship(ctx sdk.Context, a shipArgs) (Shipment, error) {
	c, err := authorize(ctx, "ship", supplyRoles...)
	if err != nil {
		return Shipment{}, err
	}
	t := newTx(ctx, c)
	if err := validateID("shipmentId", a.ShipmentID); err != nil {
		return Shipment{}, err
	}
	if err := validateID("to", a.To); err != nil {
		return Shipment{}, err
	}
	if a.To == c.actor.MSPID {
		return Shipment{}, errf(sdk.InvalidArgument, "to: %s cannot ship to itself; moves between its own sites are not DSCSA transactions", a.To)
	}
	if !a.TransactionStatement {
		return Shipment{}, errf(sdk.InvalidArgument, "transactionStatement must be true: the seller attests %q", transactionStatementText)
	}
	txDate := t.now.Format(dateLayout)
	if a.TransactionDate != "" {
		if _, err := parseDate("transactionDate", a.TransactionDate); err != nil {
			return Shipment{}, sdk.NewError(sdk.InvalidArgument, err.Error())
		}
		if a.TransactionDate > txDate {
			return Shipment{}, errf(sdk.InvalidArgument, "transactionDate %s is after the shipment date %s", a.TransactionDate, txDate)
		}
		txDate = a.TransactionDate
	}
	if a.PurchaseOrder != "" {
		if err := validateCSET82("purchaseOrder", a.PurchaseOrder, 35); err != nil {
			return Shipment{}, sdk.NewError(sdk.InvalidArgument, err.Error())
		}
	}
	if err := validateGLN(a.ShipTo); err != nil {
		return Shipment{}, sdk.NewError(sdk.InvalidArgument, "shipTo: "+err.Error())
	}
	if err := validateRefs("objects", a.Objects); err != nil {
		return Shipment{}, err
	}
	readPoint, _, err := c.location(a.Location, a.LocationExt)
	if err != nil {
		return Shipment{}, err
	}
	var old Shipment
	if found, err := ctx.GetJSON("shipment/"+a.ShipmentID, &old); err != nil {
		return Shipment{}, err
	} else if found {
		return Shipment{}, errf(sdk.AlreadyExists, "shipment %s was already recorded by %s at %s", a.ShipmentID, old.From, old.ShippedAt.Format(time.RFC3339))
	}
	dest, err := loadPartner(ctx, a.To)
	switch {
	case err != nil:
		return Shipment{}, err
	case dest == nil:
		return Shipment{}, errf(sdk.NotFound, "to: %s is not a registered trading partner; DSCSA allows transactions only with authorized trading partners", a.To)
	case dest.Status != partnerActive:
		return Shipment{}, errf(sdk.FailedPrecondition, "to: trading partner %s is %s: %s", a.To, dest.Status, dest.StatusReason)
	case !slices.ContainsFunc(dest.Roles, func(r string) bool { return slices.Contains(supplyRoles, r) }):
		return Shipment{}, errf(sdk.FailedPrecondition, "to: %s is registered only as %s and cannot take ownership of product", a.To, strings.Join(dest.Roles, ", "))
	case !dest.hasLocation(a.ShipTo):
		return Shipment{}, errf(sdk.InvalidArgument, "shipTo: %s is not a registered site of %s", a.ShipTo, a.To)
	}
	objs := make([]*Object, len(a.Objects))
	var units []*Object
	for i, r := range a.Objects {
		o, err := t.get(r)
		if err != nil {
			return Shipment{}, err
		}
		if _, err := t.requireCustody(o, "be shipped"); err != nil {
			return Shipment{}, err
		}
		if err := requireLoose(o, "be shipped on its own"); err != nil {
			return Shipment{}, err
		}
		err = t.eachUnit(o, func(u *Object) error {
			if units = append(units, u); len(units) > maxUnitsPerShipment {
				return errf(sdk.InvalidArgument, "objects hold more than %d packs; split the shipment", maxUnitsPerShipment)
			}
			return nil
		})
		if err != nil {
			return Shipment{}, err
		}
		if err := t.requireClean(o, "be shipped"); err != nil {
			return Shipment{}, err
		}
		if err := t.requireSaleable(o, "be shipped", a.To); err != nil {
			return Shipment{}, err
		}
		objs[i] = o
	}
	if len(units) == 0 {
		return Shipment{}, errf(sdk.FailedPrecondition, "objects hold no packs; an empty container is not a DSCSA transaction")
	}
	ti, isReturn, err := t.transactionInformation(units, c.partner, dest, txDate, a.PurchaseOrder)
	if err != nil {
		return Shipment{}, err
	}
	ts := TransactionStatement{Statement: transactionStatementText, AttestedBy: c.actor, AttestedAt: t.now}
	refs := slices.Clone(a.Objects)
	sortRefs(refs)
	s := Shipment{ID: a.ShipmentID, From: c.actor.MSPID, To: a.To, ShipFrom: a.Location, ShipTo: a.ShipTo, Objects: refs,
		Units: len(units), Return: isReturn, Status: shipmentInTransit, ShippedBy: c.actor, ShippedAt: t.now,
		TransactionInformation: ti, TransactionStatement: ts, TIHash: tiHash(ti, ts)}
	ev := newEvent(typeObject, actionObserve, stepShipping, dispInTransit, ctx.TxID(), t.now, c.actor)
	ev.ReadPoint, ev.TIHash = readPoint, s.TIHash
	ev.BizTransactionList, ev.SourceList, ev.DestinationList = shipmentContext(&s, c.partner, dest)
	s.ShippedEvent = ev.EventID
	t.record(ev)
	for _, o := range objs {
		o.Status, o.Disposition, o.Shipment = statusInTransit, dispInTransit, s.ID
		ev.EPCList = append(ev.EPCList, o.EPC)
		if err := t.link(o, "object"); err != nil {
			return Shipment{}, err
		}
	}
	t.put("shipment/"+s.ID, s)
	if err := t.flush(); err != nil {
		return Shipment{}, err
	}
	return s, ctx.Emit("ShipmentShipped", map[string]any{"shipmentId": s.ID, "eventId": ev.EventID, "from": s.From,
		"to": s.To, "objects": len(objs), "units": s.Units, "return": s.Return, "transactionInformationHash": s.TIHash, "at": t.now})
}

// transactionInformation builds DSCSA transaction information for units: one line per GTIN and lot, in key
// order, with sorted serials. It reports whether every unit goes back to the manufacturer owning its GTIN.
func (t *tx) transactionInformation(units []*Object, from, to *Partner, txDate, po string) (TransactionInformation, bool, error) {
	lines := map[string]*TILine{}
	isReturn := true
	for _, u := range units {
		k := u.GTIN + "/" + escape(u.Lot)
		l := lines[k]
		if l == nil {
			p, err := t.product(u.GTIN)
			if err != nil {
				return TransactionInformation{}, false, err
			}
			if p == nil {
				return TransactionInformation{}, false, errf(sdk.Internal, "product %s of %s is not registered", u.GTIN, u)
			}
			isReturn = isReturn && p.Owner == to.MSPID
			ndc := p.NDC
			if ndc == "" {
				ndc = ndcFromGTIN(p.GTIN)
			}
			l = &TILine{GTIN: p.GTIN, NDC: ndc, Name: p.Name, Strength: p.Strength, DosageForm: p.DosageForm,
				ContainerSize: p.ContainerSize, Lot: u.Lot, Expiry: u.Expiry}
			lines[k] = l
		}
		l.Quantity++
		l.Serials = append(l.Serials, u.Serial)
	}
	ti := TransactionInformation{TransactionDate: txDate, ShipmentDate: t.now.Format(dateLayout), PurchaseOrder: po,
		Transferor: tiParty(from), Transferee: tiParty(to), RecordedAt: t.now}
	keys := make([]string, 0, len(lines))
	for k := range lines {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		slices.Sort(lines[k].Serials)
		ti.Products = append(ti.Products, *lines[k])
	}
	return ti, isReturn, nil
}

func tiParty(p *Partner) TIParty {
	return TIParty{MSPID: p.MSPID, Name: p.Name, Address: p.Address, GLN: p.GLN, License: p.License}
}

// tiHash is the SHA-256 (lowercase hex) of the JSON encoding of {"transactionInformation":…,
// "transactionStatement":…} exactly as the shipment stores them: the anchor against which a TI/TS document
// exchanged off-chain (EPCIS, ASN, PDF) can be checked.
func tiHash(ti TransactionInformation, ts TransactionStatement) string {
	b, _ := json.Marshal(struct {
		TI TransactionInformation `json:"transactionInformation"`
		TS TransactionStatement   `json:"transactionStatement"`
	}{ti, ts})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// shipmentContext returns the EPCIS business transactions, sources and destinations of a shipment: the despatch
// advice (the shipment id, issued by the seller) and purchase order (issued by the buyer), owning parties by
// party GLN and the ship-from and ship-to locations.
func shipmentContext(s *Shipment, from, to *Partner) ([]BizTransaction, []SourceDest, []SourceDest) {
	bt := []BizTransaction{{Type: "desadv", BizTransaction: "urn:epcglobal:cbv:bt:" + from.GLN + ":" + s.ID}}
	if po := s.TransactionInformation.PurchaseOrder; po != "" {
		bt = append(bt, BizTransaction{Type: "po", BizTransaction: "urn:epcglobal:cbv:bt:" + to.GLN + ":" + escape(po)})
	}
	src := []SourceDest{{Type: "owning_party", Source: partyURI(from.GLN)}, {Type: "location", Source: locationURI(s.ShipFrom, "")}}
	dst := []SourceDest{{Type: "owning_party", Destination: partyURI(to.GLN)}, {Type: "location", Destination: locationURI(s.ShipTo, "")}}
	return bt, src, dst
}

type receiveArgs struct {
	ShipmentID  string      `json:"shipmentId"`
	Objects     []ObjectRef `json:"objects"`
	Location    string      `json:"location"`
	LocationExt string      `json:"locationExt"`
}

// receive takes ownership of a shipment addressed to the caller (EPCIS ObjectEvent OBSERVE, bizStep receiving).
// The objects physically received must be exactly those shipped: anything else is a receive without a matching
// ship, and a shortfall must be investigated before the shipment is accepted.
func receive(ctx sdk.Context, a receiveArgs) (Shipment, error) {
	c, err := authorize(ctx, "receive", supplyRoles...)
	if err != nil {
		return Shipment{}, err
	}
	t := newTx(ctx, c)
	if err := validateID("shipmentId", a.ShipmentID); err != nil {
		return Shipment{}, err
	}
	if err := validateRefs("objects", a.Objects); err != nil {
		return Shipment{}, err
	}
	readPoint, bizLoc, err := c.location(a.Location, a.LocationExt)
	if err != nil {
		return Shipment{}, err
	}
	var s Shipment
	if found, err := ctx.GetJSON("shipment/"+a.ShipmentID, &s); err != nil {
		return Shipment{}, err
	} else if !found {
		return Shipment{}, ruleErr(sdk.NotFound, ruleReceiveWithoutShip, "no shipment %s was ever shipped", a.ShipmentID)
	}
	switch {
	case s.To != c.actor.MSPID:
		return Shipment{}, ruleErr(sdk.PermissionDenied, ruleCustodyBreak, "shipment %s is addressed to %s, not %s", s.ID, s.To, c.actor.MSPID)
	case s.Status == shipmentReceived:
		return Shipment{}, errf(sdk.FailedPrecondition, "shipment %s was already received by %s at %s", s.ID, s.ReceivedBy.MSPID, s.ReceivedAt.Format(time.RFC3339))
	}
	for _, r := range a.Objects {
		if !slices.Contains(s.Objects, r) {
			return Shipment{}, ruleErr(sdk.FailedPrecondition, ruleReceiveWithoutShip, "%s is not in shipment %s from %s", r, s.ID, s.From)
		}
	}
	var missing []string
	for _, r := range s.Objects {
		if !slices.Contains(a.Objects, r) {
			missing = append(missing, r.String())
		}
	}
	if len(missing) > 0 {
		return Shipment{}, errf(sdk.FailedPrecondition, "shipment %s lists %d objects not received (%s); a short delivery is not accepted: investigate it (markSuspect, quarantine) and settle it with %s",
			s.ID, len(missing), strings.Join(missing, ", "), s.From)
	}
	from, err := loadPartner(ctx, s.From)
	if err != nil {
		return Shipment{}, err
	}
	if from == nil {
		return Shipment{}, errf(sdk.Internal, "shipment %s names unregistered sender %s", s.ID, s.From)
	}
	objs := make([]*Object, len(s.Objects))
	for i, r := range s.Objects {
		o, err := t.get(r)
		if err != nil {
			return Shipment{}, err
		}
		if o.Status != statusInTransit || o.Shipment != s.ID {
			return Shipment{}, errf(sdk.Internal, "%s of shipment %s is %s (shipment %q)", o, s.ID, o.Status, o.Shipment)
		}
		objs[i] = o
	}
	ev := newEvent(typeObject, actionObserve, stepReceiving, dispInProgress, ctx.TxID(), t.now, c.actor)
	ev.ReadPoint, ev.BizLocation, ev.TIHash = readPoint, bizLoc, s.TIHash
	ev.BizTransactionList, ev.SourceList, ev.DestinationList = shipmentContext(&s, from, c.partner)
	t.record(ev)
	for _, o := range objs {
		o.Owner, o.Status, o.Disposition, o.Location, o.Shipment = c.actor.MSPID, statusActive, dispInProgress, a.Location, ""
		ev.EPCList = append(ev.EPCList, o.EPC)
		if err := t.link(o, "object"); err != nil {
			return Shipment{}, err
		}
	}
	now := t.now
	s.Status, s.ReceivedBy, s.ReceivedAt, s.ReceivedEvent = shipmentReceived, &c.actor, &now, ev.EventID
	t.put("shipment/"+s.ID, s)
	if err := t.flush(); err != nil {
		return Shipment{}, err
	}
	return s, ctx.Emit("ShipmentReceived", map[string]any{"shipmentId": s.ID, "eventId": ev.EventID, "from": s.From,
		"to": s.To, "objects": len(objs), "units": s.Units, "at": now})
}

type shipmentArgs struct {
	ShipmentID string `json:"shipmentId"`
}

// getShipment returns a shipment with its transaction information to its seller, its buyer or a regulator.
func getShipment(ctx sdk.Context, a shipmentArgs) (Shipment, error) {
	c, err := authorize(ctx, "getShipment", append(slices.Clone(supplyRoles), roleRegulator)...)
	if err != nil {
		return Shipment{}, err
	}
	if err := validateID("shipmentId", a.ShipmentID); err != nil {
		return Shipment{}, err
	}
	var s Shipment
	if found, err := ctx.GetJSON("shipment/"+a.ShipmentID, &s); err != nil {
		return Shipment{}, err
	} else if !found {
		return Shipment{}, errf(sdk.NotFound, "shipment %s does not exist", a.ShipmentID)
	}
	if !c.is(roleRegulator) && c.actor.MSPID != s.From && c.actor.MSPID != s.To {
		return Shipment{}, errf(sdk.PermissionDenied, "getShipment: shipment %s is visible to %s, %s and regulators, not %s", s.ID, s.From, s.To, c.actor.MSPID)
	}
	return s, nil
}
