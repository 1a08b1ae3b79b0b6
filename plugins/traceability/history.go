package main

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/medledger/medledger/plugins/sdk"
)

type historyArgs struct {
	GTIN   string `json:"gtin"`
	Serial string `json:"serial"`
	SSCC   string `json:"sscc"`
}

// CustodyEntry is one owner in a chain of custody, from the event that made it the owner.
type CustodyEntry struct {
	Owner   string    `json:"owner"`
	Since   time.Time `json:"since"`
	EventID string    `json:"eventId"`
}

// HistoryResult is the full chain of custody of an item or container.
type HistoryResult struct {
	EPC           string         `json:"epc"`
	Current       *Object        `json:"current"`
	Custody       *Custody       `json:"custody"`
	CustodyChain  []CustodyEntry `json:"custodyChain"`
	Investigation *Investigation `json:"investigation,omitempty"`
	Recall        *Recall        `json:"recall,omitempty"`
	EPCIS         EPCISDocument  `json:"epcis"`
}

// history returns every EPCIS event that concerns an object, including the events of the containers it
// travelled in while it was inside them, as an EPCIS 2.0 document, with the chain of custody derived from it.
// Visible to regulators, the manufacturer owning the GTIN and every organisation that ever had custody.
func history(ctx sdk.Context, a historyArgs) (HistoryResult, error) {
	c, err := authorize(ctx, "history", append(slices.Clone(supplyRoles), roleRegulator)...)
	if err != nil {
		return HistoryResult{}, err
	}
	t := newTx(ctx, c)
	ref := ObjectRef(a)
	if err := ref.validate(); err != nil {
		return HistoryResult{}, err
	}
	o, err := t.get(ref)
	if err != nil {
		return HistoryResult{}, err
	}
	events := map[string]*Event{}
	if err := t.collect(o.key(), 0, -1, 0, events); err != nil {
		return HistoryResult{}, err
	}
	list := make([]Event, 0, len(events))
	for _, id := range slices.Sorted(maps.Keys(events)) {
		list = append(list, *events[id])
	}
	slices.SortStableFunc(list, func(x, y Event) int { return x.EventTime.Compare(y.EventTime) })
	res := HistoryResult{EPC: o.EPC, Current: o, CustodyChain: custodyChain(list)}
	if !t.mayReadHistory(c, o, res.CustodyChain) {
		return HistoryResult{}, errf(sdk.PermissionDenied, "history: %s never had custody of %s; only its holders, its manufacturer and regulators may read its history", c.actor.MSPID, ref)
	}
	if res.Custody, err = t.custody(o); err != nil {
		return HistoryResult{}, err
	}
	if o.Kind == kindSGTIN {
		if res.Investigation, err = t.investigation(o.GTIN, o.Serial); err != nil {
			return HistoryResult{}, err
		}
		if res.Recall, err = t.recall(o.GTIN, o.Lot); err != nil {
			return HistoryResult{}, err
		}
	}
	res.EPCIS = EPCISDocument{Context: epcisContext, Type: "EPCISDocument", SchemaVersion: "2.0", CreationDate: t.now}
	res.EPCIS.EPCISBody.EventList = list
	return res, nil
}

// mayReadHistory reports whether the caller may read the history of o with custody chain chain.
func (t *tx) mayReadHistory(c *caller, o *Object, chain []CustodyEntry) bool {
	if c.is(roleRegulator) || o.Kind == kindSGTIN && c.is(roleManufacturer) && c.ownsGTIN(o.GTIN) {
		return true
	}
	return slices.ContainsFunc(chain, func(e CustodyEntry) bool { return e.Owner == c.actor.MSPID })
}

// custodyChain derives the owners of an object from its time-ordered events: whoever recorded the first event
// (commissioning, repackaging, first packing), then each receiver.
func custodyChain(events []Event) []CustodyEntry {
	chain := []CustodyEntry{}
	for _, e := range events {
		owner := e.RecordedBy.MSPID
		if len(chain) > 0 && (e.BizStep != stepReceiving || chain[len(chain)-1].Owner == owner) {
			continue
		}
		chain = append(chain, CustodyEntry{Owner: owner, Since: e.EventTime, EventID: e.EventID})
	}
	return chain
}

// collect adds to out the events of the object at objKey between from and until (Unix nanoseconds, inclusive;
// until < 0 for "to now"), and, for every span in that window during which the object sat in a container, the
// container's own events in that span, recursively. Inside a container, events in which the container is the
// parent of other objects are not about this object and are left out.
func (t *tx) collect(objKey string, from, until int64, depth int, out map[string]*Event) error {
	if depth > maxNesting {
		return errf(sdk.Internal, "history of %s nests more than %d containers deep", objKey, maxNesting)
	}
	type span struct {
		sscc     string
		from, to int64
	}
	var spans []span
	open := map[string]int64{}
	prefix := "hist/" + objKey + "/"
	for key, role := range t.ctx.RangePrefix(prefix) {
		tsPart, id, ok := strings.Cut(strings.TrimPrefix(key, prefix), "/")
		ts, err := strconv.ParseInt(tsPart, 10, 64)
		if !ok || err != nil {
			return errf(sdk.Internal, "malformed history key %q", key)
		}
		ev, err := t.loadEvent("urn:uuid:" + id)
		if err != nil {
			return err
		}
		if ts >= from && (until < 0 || ts <= until) && (depth == 0 || string(role) != "parent") {
			out[id] = ev
		}
		if string(role) == "child" && ev.Type == typeAggregation {
			sscc := strings.TrimPrefix(ev.ParentID, digitalLinkBase+"/00/")
			if ev.Action == actionAdd {
				open[sscc] = ts
			} else if start, ok := open[sscc]; ok {
				spans = append(spans, span{sscc, start, ts})
				delete(open, sscc)
			}
		}
	}
	for _, sscc := range slices.Sorted(maps.Keys(open)) {
		spans = append(spans, span{sscc, open[sscc], -1})
	}
	for _, s := range spans {
		lo, hi := max(s.from, from), s.to
		if until >= 0 && (hi < 0 || until < hi) {
			hi = until
		}
		if hi >= 0 && lo > hi {
			continue
		}
		if err := t.collect("container/"+s.sscc, lo, hi, depth+1, out); err != nil {
			return err
		}
	}
	return nil
}
