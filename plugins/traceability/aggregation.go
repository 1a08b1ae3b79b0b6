package main

import (
	"slices"
	"strings"

	"github.com/medledger/medledger/plugins/sdk"
)

type aggregateArgs struct {
	Parent      string      `json:"parent"`
	Children    []ObjectRef `json:"children"`
	Location    string      `json:"location"`
	LocationExt string      `json:"locationExt"`
}

// aggregate packs loose packs or containers into a logistic unit (EPCIS AggregationEvent ADD, bizStep packing).
// The parent SSCC is created on first use; every child must be in the caller's custody, loose and not under
// investigation. From then on the children travel with the parent.
func aggregate(ctx sdk.Context, a aggregateArgs) (eventResult, error) {
	c, err := authorize(ctx, "aggregate", supplyRoles...)
	if err != nil {
		return eventResult{}, err
	}
	t := newTx(ctx, c)
	if err := validateSSCC(a.Parent); err != nil {
		return eventResult{}, sdk.NewError(sdk.InvalidArgument, "parent: "+err.Error())
	}
	if err := validateRefs("children", a.Children); err != nil {
		return eventResult{}, err
	}
	readPoint, bizLoc, err := c.location(a.Location, a.LocationExt)
	if err != nil {
		return eventResult{}, err
	}
	parent, err := t.lookup("container/" + a.Parent)
	if err != nil {
		return eventResult{}, err
	}
	// ancestors holds the parent and every container above it: none may become its own descendant.
	ancestors := map[string]bool{a.Parent: true}
	depth := 1
	if parent == nil {
		parent = &Object{Kind: kindSSCC, EPC: ssccURI(a.Parent), SSCC: a.Parent, Owner: c.actor.MSPID, Status: statusActive,
			Location: a.Location, CreatedBy: c.actor, CreatedAt: t.now, CreatedEvent: eventID(ctx.TxID())}
	} else {
		if _, err := t.requireCustody(parent, "take more children"); err != nil {
			return eventResult{}, err
		}
		for p := parent; p.Parent != ""; depth++ {
			ancestors[p.Parent] = true
			if p, err = t.lookup("container/" + p.Parent); err != nil || p == nil {
				return eventResult{}, errf(sdk.Internal, "container chain of %s is broken", parent)
			}
		}
	}
	if n := len(parent.Children) + len(a.Children); n > maxContainerChildren {
		return eventResult{}, errf(sdk.FailedPrecondition, "container %s would hold %d children, at most %d; nest it in cases", parent, n, maxContainerChildren)
	}
	children := make([]*Object, len(a.Children))
	for i, r := range a.Children {
		o, err := t.get(r)
		if err != nil {
			return eventResult{}, err
		}
		if r.SSCC != "" && ancestors[r.SSCC] {
			return eventResult{}, errf(sdk.InvalidArgument, "container %s cannot be packed into itself or into a container it holds", r)
		}
		if _, err := t.requireCustody(o, "be packed"); err != nil {
			return eventResult{}, err
		}
		if err := requireLoose(o, "be packed again"); err != nil {
			return eventResult{}, err
		}
		if err := t.requireClean(o, "be packed"); err != nil {
			return eventResult{}, err
		}
		if h, err := t.height(o); err != nil {
			return eventResult{}, err
		} else if depth+h > maxNesting {
			return eventResult{}, errf(sdk.InvalidArgument, "packing %s into %s would nest containers %d deep, at most %d", o, parent, depth+h, maxNesting)
		}
		children[i] = o
	}
	ev := newEvent(typeAggregation, actionAdd, stepPacking, dispContainerClosed, ctx.TxID(), t.now, c.actor)
	ev.ReadPoint, ev.BizLocation, ev.ParentID = readPoint, bizLoc, parent.EPC
	t.record(ev)
	for _, o := range children {
		o.Parent = a.Parent
		parent.Children = append(parent.Children, o.ref())
		ev.ChildEPCs = append(ev.ChildEPCs, o.EPC)
		if err := t.link(o, "child"); err != nil {
			return eventResult{}, err
		}
	}
	sortRefs(parent.Children)
	parent.Disposition = dispContainerClosed
	if parent.Parent == "" {
		parent.Location = a.Location
	}
	if err := t.link(parent, "parent"); err != nil {
		return eventResult{}, err
	}
	if err := t.flush(); err != nil {
		return eventResult{}, err
	}
	return eventResult{EventID: ev.EventID, EPCs: ev.ChildEPCs}, ctx.Emit("ProductsAggregated", map[string]any{
		"eventId": ev.EventID, "parent": parent.EPC, "children": len(children), "by": c.actor.MSPID, "at": t.now,
	})
}

// height is how many container levels o adds: 0 for an item, 1 for a case of packs, 2 for a pallet of cases.
func (t *tx) height(o *Object) (int, error) {
	h := 0
	if o.Kind == kindSGTIN {
		return 0, nil
	}
	for _, c := range o.Children {
		if c.SSCC == "" {
			h = max(h, 1)
			continue
		}
		co, err := t.lookup(c.key())
		if err != nil || co == nil {
			return 0, errf(sdk.Internal, "container %s lists missing child %s", o, c)
		}
		ch, err := t.height(co)
		if err != nil {
			return 0, err
		}
		h = max(h, ch+1)
	}
	return max(h, 1), nil
}

// sortRefs sorts references by key so container contents are stored in one order on every peer.
func sortRefs(refs []ObjectRef) {
	slices.SortFunc(refs, func(a, b ObjectRef) int { return strings.Compare(a.key(), b.key()) })
}

type disaggregateArgs struct {
	Parent      string      `json:"parent"`
	Children    []ObjectRef `json:"children"`
	Location    string      `json:"location"`
	LocationExt string      `json:"locationExt"`
}

// disaggregate takes children out of a container (EPCIS AggregationEvent DELETE, bizStep unpacking): the named
// ones, or all when none are named. Children take over the container's custody at the given location; a
// container left empty is "emptied" for good, since GS1 forbids reusing an SSCC.
func disaggregate(ctx sdk.Context, a disaggregateArgs) (eventResult, error) {
	c, err := authorize(ctx, "disaggregate", supplyRoles...)
	if err != nil {
		return eventResult{}, err
	}
	t := newTx(ctx, c)
	if err := validateSSCC(a.Parent); err != nil {
		return eventResult{}, sdk.NewError(sdk.InvalidArgument, "parent: "+err.Error())
	}
	if len(a.Children) > 0 {
		if err := validateRefs("children", a.Children); err != nil {
			return eventResult{}, err
		}
	}
	readPoint, bizLoc, err := c.location(a.Location, a.LocationExt)
	if err != nil {
		return eventResult{}, err
	}
	parent, err := t.get(ObjectRef{SSCC: a.Parent})
	if err != nil {
		return eventResult{}, err
	}
	root, err := t.requireCustody(parent, "be unpacked")
	if err != nil {
		return eventResult{}, err
	}
	take := a.Children
	if len(take) == 0 {
		if len(parent.Children) > maxObjectsPerCall {
			return eventResult{}, errf(sdk.InvalidArgument, "container %s holds %d children, more than the %d one call may unpack; name them in batches", parent, len(parent.Children), maxObjectsPerCall)
		}
		take = slices.Clone(parent.Children)
	}
	for _, r := range take {
		if !slices.Contains(parent.Children, r) {
			return eventResult{}, errf(sdk.FailedPrecondition, "%s is not in container %s", r, parent)
		}
	}
	ev := newEvent(typeAggregation, actionDelete, stepUnpacking, "", ctx.TxID(), t.now, c.actor)
	ev.ReadPoint, ev.BizLocation, ev.ParentID = readPoint, bizLoc, parent.EPC
	t.record(ev)
	for _, r := range take {
		o, err := t.get(r)
		if err != nil {
			return eventResult{}, err
		}
		o.Parent, o.Owner, o.Status, o.Location, o.Shipment = "", root.Owner, statusActive, a.Location, ""
		if o.Kind == kindSGTIN {
			o.Disposition = dispActive
		}
		parent.Children = slices.DeleteFunc(parent.Children, func(x ObjectRef) bool { return x == r })
		ev.ChildEPCs = append(ev.ChildEPCs, o.EPC)
		if err := t.link(o, "child"); err != nil {
			return eventResult{}, err
		}
	}
	parent.Disposition = dispContainerOpen
	if len(parent.Children) == 0 {
		parent.Status = statusEmptied
		parent.Children = nil
	}
	if err := t.link(parent, "parent"); err != nil {
		return eventResult{}, err
	}
	if err := t.flush(); err != nil {
		return eventResult{}, err
	}
	return eventResult{EventID: ev.EventID, EPCs: ev.ChildEPCs}, ctx.Emit("ProductsDisaggregated", map[string]any{
		"eventId": ev.EventID, "parent": parent.EPC, "children": len(take), "emptied": parent.Status == statusEmptied,
		"by": c.actor.MSPID, "at": t.now,
	})
}
