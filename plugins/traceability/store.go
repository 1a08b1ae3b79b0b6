package main

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/medledger/medledger/plugins/sdk"
)

// maxObjectsPerCall bounds the objects one call names, so that its writes (object, history link) stay well
// inside the host's 1,000 writes per call.
const maxObjectsPerCall = 200

// maxContainerChildren bounds the direct children of one container, so its record stays small; larger loads
// nest (packs in cases on pallets).
const maxContainerChildren = 1000

// maxUnitsPerShipment bounds the packs a shipment may hold in all its containers (reads only, but each is a host
// call and a transaction-information line entry).
const maxUnitsPerShipment = 2000

// maxNesting bounds container nesting (pack in case in pallet …); deeper chains mean corrupt state.
const maxNesting = 8

// tx is the working set of one call: every record it reads is cached, every change is kept in memory, and flush
// writes them all at the end in sorted key order. Handlers validate everything first, so a refused call writes
// nothing and every peer writes the same keys in the same order.
type tx struct {
	ctx      sdk.Context
	now      time.Time
	by       *caller
	objects  map[string]*Object // nil value: read and absent
	invs     map[string]*Investigation
	recalls  map[string]*Recall
	products map[string]*Product
	dirty    map[string]any
	event    *Event
	links    map[string]string // history index key → the object's role in the event
}

func newTx(ctx sdk.Context, by *caller) *tx {
	return &tx{
		ctx: ctx, now: ctx.TxTime(), by: by,
		objects: map[string]*Object{}, invs: map[string]*Investigation{}, recalls: map[string]*Recall{},
		products: map[string]*Product{}, dirty: map[string]any{}, links: map[string]string{},
	}
}

// validate checks that r names exactly one item (gtin + serial) or one container (sscc), well formed.
func (r ObjectRef) validate() error {
	switch {
	case r.SSCC != "" && (r.GTIN != "" || r.Serial != ""):
		return errf(sdk.InvalidArgument, "object names both sscc %q and gtin/serial; give one", r.SSCC)
	case r.SSCC != "":
		if err := validateSSCC(r.SSCC); err != nil {
			return sdk.NewError(sdk.InvalidArgument, err.Error())
		}
	default:
		if err := validateGTIN(r.GTIN); err != nil {
			return sdk.NewError(sdk.InvalidArgument, err.Error())
		}
		if err := validateSerial(r.Serial); err != nil {
			return sdk.NewError(sdk.InvalidArgument, err.Error())
		}
	}
	return nil
}

// key is the world-state key of the object r names.
func (r ObjectRef) key() string {
	if r.SSCC != "" {
		return "container/" + r.SSCC
	}
	return itemKey(r.GTIN, r.Serial)
}

// String spells r as a GS1 element string, "(01)<gtin>(21)<serial>" or "(00)<sscc>".
func (r ObjectRef) String() string {
	if r.SSCC != "" {
		return "(00)" + r.SSCC
	}
	return "(01)" + r.GTIN + "(21)" + r.Serial
}

func itemKey(gtin, serial string) string { return "item/" + gtin + "/" + escape(serial) }

// ref returns the reference naming o.
func (o *Object) ref() ObjectRef {
	if o.Kind == kindSSCC {
		return ObjectRef{SSCC: o.SSCC}
	}
	return ObjectRef{GTIN: o.GTIN, Serial: o.Serial}
}

func (o *Object) key() string    { return o.ref().key() }
func (o *Object) String() string { return o.ref().String() }

// validateRefs checks a list of object references: 1..maxObjectsPerCall, each well formed, no duplicates.
func validateRefs(what string, refs []ObjectRef) error {
	if len(refs) == 0 {
		return errf(sdk.InvalidArgument, "%s: at least one object is required", what)
	}
	if len(refs) > maxObjectsPerCall {
		return errf(sdk.InvalidArgument, "%s: %d objects, at most %d per call", what, len(refs), maxObjectsPerCall)
	}
	seen := map[string]bool{}
	for i, r := range refs {
		if err := r.validate(); err != nil {
			return errf(sdk.InvalidArgument, "%s[%d]: %s", what, i, message(err))
		}
		if seen[r.key()] {
			return errf(sdk.InvalidArgument, "%s: %s is listed twice", what, r)
		}
		seen[r.key()] = true
	}
	return nil
}

// lookup returns the object at key, or nil when it does not exist.
func (t *tx) lookup(key string) (*Object, error) {
	if o, ok := t.objects[key]; ok {
		return o, nil
	}
	var o Object
	found, err := t.ctx.GetJSON(key, &o)
	if err != nil {
		return nil, err
	}
	if !found {
		t.objects[key] = nil
		return nil, nil
	}
	t.objects[key] = &o
	return &o, nil
}

// get returns the object r names; a serial or SSCC never commissioned is the unknown_serial rule.
func (t *tx) get(r ObjectRef) (*Object, error) {
	o, err := t.lookup(r.key())
	if err == nil && o == nil {
		err = ruleErr(sdk.NotFound, ruleUnknownSerial, "%s was never commissioned on this ledger", r)
	}
	return o, err
}

// root returns the outermost container holding o, or o itself: the object whose custody fields are current.
func (t *tx) root(o *Object) (*Object, error) {
	for depth := 0; o.Parent != ""; depth++ {
		if depth == maxNesting {
			return nil, errf(sdk.Internal, "%s is nested more than %d containers deep", o, maxNesting)
		}
		p, err := t.lookup("container/" + o.Parent)
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, errf(sdk.Internal, "%s names missing container %s", o, o.Parent)
		}
		o = p
	}
	return o, nil
}

// eachUnit calls fn for every item in o (o itself when it is an item), depth first in child order.
func (t *tx) eachUnit(o *Object, fn func(*Object) error) error {
	return t.walk(o, 0, fn)
}

func (t *tx) walk(o *Object, depth int, fn func(*Object) error) error {
	if o.Kind == kindSGTIN {
		return fn(o)
	}
	if depth == maxNesting {
		return errf(sdk.Internal, "%s nests more than %d containers deep", o, maxNesting)
	}
	for _, c := range o.Children {
		co, err := t.lookup(c.key())
		if err != nil {
			return err
		}
		if co == nil {
			return errf(sdk.Internal, "container %s lists missing child %s", o, c)
		}
		if err := t.walk(co, depth+1, fn); err != nil {
			return err
		}
	}
	return nil
}

// put schedules a non-object record write.
func (t *tx) put(key string, v any) { t.dirty[key] = v }

// record sets the call's EPCIS event; link then ties objects to it.
func (t *tx) record(ev *Event) { t.event = ev }

// link ties o to the call's event in role ("object", "parent", "child", "input", "output"), making it part of
// o's history and o's last event. Events may not go back in time on an object: history is ordered by it.
func (t *tx) link(o *Object, role string) error {
	if t.now.Before(o.LastEventTime) {
		return errf(sdk.FailedPrecondition, "transaction time %s is before the last event of %s at %s",
			t.now.Format(time.RFC3339Nano), o, o.LastEventTime.Format(time.RFC3339Nano))
	}
	o.LastEvent = t.event.EventID
	o.LastEventTime = t.now
	t.objects[o.key()] = o
	t.dirty[o.key()] = o
	t.links["hist/"+o.key()+"/"+timeKey(t.now)+"/"+eventKeyID(t.event.EventID)] = role
	return nil
}

// eventKeyID is the key segment of an event: its UUID.
func eventKeyID(id string) string { return strings.TrimPrefix(id, "urn:uuid:") }

// eventKey is the world-state key of the event with id.
func eventKey(id string) string { return "event/" + eventKeyID(id) }

// flush writes the event, history links and every changed record in sorted key order.
func (t *tx) flush() error {
	if t.event != nil {
		t.dirty[eventKey(t.event.EventID)] = t.event
	}
	for _, k := range slices.Sorted(maps.Keys(t.dirty)) {
		if err := t.ctx.PutJSON(k, t.dirty[k]); err != nil {
			return err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(t.links)) {
		t.ctx.PutState(k, []byte(t.links[k]))
	}
	return nil
}

// investigation returns the investigation record of an item, nil when there is none.
func (t *tx) investigation(gtin, serial string) (*Investigation, error) {
	key := "investigation/" + gtin + "/" + escape(serial)
	if v, ok := t.invs[key]; ok {
		return v, nil
	}
	var inv Investigation
	found, err := t.ctx.GetJSON(key, &inv)
	if err != nil {
		return nil, err
	}
	var p *Investigation
	if found {
		p = &inv
	}
	t.invs[key] = p
	return p, nil
}

// recall returns the active recall of a lot, nil when there is none.
func (t *tx) recall(gtin, lot string) (*Recall, error) {
	key := recallKey(gtin, lot)
	if v, ok := t.recalls[key]; ok {
		return v, nil
	}
	var r Recall
	found, err := t.ctx.GetJSON(key, &r)
	if err != nil {
		return nil, err
	}
	var p *Recall
	if found {
		p = &r
	}
	t.recalls[key] = p
	return p, nil
}

func recallKey(gtin, lot string) string { return "recall/" + gtin + "/" + escape(lot) }
func lotKey(gtin, lot string) string    { return "lot/" + gtin + "/" + escape(lot) }

// product returns the master data of gtin, nil when it is not registered.
func (t *tx) product(gtin string) (*Product, error) {
	if v, ok := t.products[gtin]; ok {
		return v, nil
	}
	var p Product
	found, err := t.ctx.GetJSON("product/"+gtin, &p)
	if err != nil {
		return nil, err
	}
	var pp *Product
	if found {
		pp = &p
	}
	t.products[gtin] = pp
	return pp, nil
}
