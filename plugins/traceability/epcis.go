package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// EPCIS 2.0 event types, actions and the CBV 2.0 vocabulary this contract uses (bare JSON-LD terms, as the
// EPCIS 2.0 JSON binding writes them).
const (
	typeObject         = "ObjectEvent"
	typeAggregation    = "AggregationEvent"
	typeTransformation = "TransformationEvent"

	actionAdd     = "ADD"
	actionObserve = "OBSERVE"
	actionDelete  = "DELETE"

	stepCommissioning   = "commissioning"
	stepPacking         = "packing"
	stepUnpacking       = "unpacking"
	stepShipping        = "shipping"
	stepReceiving       = "receiving"
	stepDispensing      = "dispensing"
	stepDecommissioning = "decommissioning"
	stepDestroying      = "destroying"
	stepRepackaging     = "repackaging"

	dispActive          = "active"
	dispContainerClosed = "container_closed"
	dispContainerOpen   = "container_open"
	dispInTransit       = "in_transit"
	dispInProgress      = "in_progress"
	dispDispensed       = "dispensed"
	dispInactive        = "inactive"
	dispDestroyed       = "destroyed"
)

// epcisContext is the JSON-LD @context of the EPCIS documents history returns: the EPCIS 2.0 context plus the
// prefix of this contract's extension fields.
var epcisContext = []any{
	"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
	map[string]string{"medledger": "https://github.com/medledger/medledger/plugins/traceability#"},
}

// Ref is an EPCIS readPoint or bizLocation.
type Ref struct {
	ID string `json:"id"`
}

// BizTransaction is an EPCIS business transaction reference (CBV 2.0 types "po", "desadv").
type BizTransaction struct {
	Type           string `json:"type"`
	BizTransaction string `json:"bizTransaction"`
}

// SourceDest is an EPCIS source or destination (CBV 2.0 types "owning_party", "location").
type SourceDest struct {
	Type        string `json:"type"`
	Source      string `json:"source,omitempty"`
	Destination string `json:"destination,omitempty"`
}

// ILMD is the instance/lot master data of a commissioning event, in CBV 2.0 master-data attribute names.
type ILMD struct {
	LotNumber          string `json:"cbvmda:lotNumber"`
	ItemExpirationDate string `json:"cbvmda:itemExpirationDate"`
}

// Event is one EPCIS 2.0 event as stored on the ledger and returned by history. Fields prefixed "medledger:"
// are this contract's extensions: who recorded the event, and the hash of a shipment's DSCSA transaction data.
type Event struct {
	Type                string           `json:"type"`
	EventID             string           `json:"eventID"`
	EventTime           time.Time        `json:"eventTime"`
	EventTimeZoneOffset string           `json:"eventTimeZoneOffset"`
	Action              string           `json:"action,omitempty"`
	BizStep             string           `json:"bizStep"`
	Disposition         string           `json:"disposition,omitempty"`
	EPCList             []string         `json:"epcList,omitempty"`
	ParentID            string           `json:"parentID,omitempty"`
	ChildEPCs           []string         `json:"childEPCs,omitempty"`
	InputEPCList        []string         `json:"inputEPCList,omitempty"`
	OutputEPCList       []string         `json:"outputEPCList,omitempty"`
	ReadPoint           *Ref             `json:"readPoint,omitempty"`
	BizLocation         *Ref             `json:"bizLocation,omitempty"`
	BizTransactionList  []BizTransaction `json:"bizTransactionList,omitempty"`
	SourceList          []SourceDest     `json:"sourceList,omitempty"`
	DestinationList     []SourceDest     `json:"destinationList,omitempty"`
	ILMD                *ILMD            `json:"ilmd,omitempty"`
	RecordedBy          Actor            `json:"medledger:recordedBy"`
	TIHash              string           `json:"medledger:transactionInformationHash,omitempty"`
	Reason              string           `json:"medledger:reason,omitempty"`
}

// EPCISDocument is an EPCIS 2.0 document carrying a list of events.
type EPCISDocument struct {
	Context       []any     `json:"@context"`
	Type          string    `json:"type"`
	SchemaVersion string    `json:"schemaVersion"`
	CreationDate  time.Time `json:"creationDate"`
	EPCISBody     struct {
		EventList []Event `json:"eventList"`
	} `json:"epcisBody"`
}

// newEvent starts the event of the current transaction. The eventID is a UUID (RFC 9562 version 8) derived from
// the transaction id, so every peer computes the same one.
func newEvent(typ, action, bizStep, disposition string, txID string, now time.Time, by Actor) *Event {
	return &Event{
		Type: typ, EventID: eventID(txID), EventTime: now, EventTimeZoneOffset: "+00:00",
		Action: action, BizStep: bizStep, Disposition: disposition, RecordedBy: by,
	}
}

// eventID derives the URN of a transaction's event.
func eventID(txID string) string {
	h := sha256.Sum256([]byte("medledger/traceability/event\x00" + txID))
	u := h[:16]
	u[6] = u[6]&0x0f | 0x80 // version 8: custom
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	x := hex.EncodeToString(u)
	return fmt.Sprintf("urn:uuid:%s-%s-%s-%s-%s", x[:8], x[8:12], x[12:16], x[16:20], x[20:])
}

// timeKey spells t for keys so that byte order is time order.
func timeKey(t time.Time) string { return fmt.Sprintf("%020d", t.UnixNano()) }
