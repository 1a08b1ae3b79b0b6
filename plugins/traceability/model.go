package main

import "time"

// Trading-partner roles: the certificate attribute "role" of a caller, and the roles a Partner record grants
// its MSP. DSCSA's "wholesale distributor" is spelled "wholesaler".
const (
	roleManufacturer = "manufacturer"
	roleRepackager   = "repackager"
	roleWholesaler   = "wholesaler"
	roleDispenser    = "dispenser"
	roleRegulator    = "regulator"
)

// allRoles lists every partner role, sorted.
var allRoles = []string{roleDispenser, roleManufacturer, roleRegulator, roleRepackager, roleWholesaler}

// supplyRoles are the roles that hold product.
var supplyRoles = []string{roleManufacturer, roleRepackager, roleWholesaler, roleDispenser}

// Partner status values.
const (
	partnerActive    = "active"
	partnerSuspended = "suspended"
)

// Actor is who performed an action, as the caller's certificate says: the audit "who" of every record.
type Actor struct {
	MSPID string `json:"mspId"`
	ID    string `json:"id"`
	Role  string `json:"role"`
}

// Partner is an authorized trading partner (DSCSA §581(2)): an MSP and the roles it is licensed for.
// Key: "partner/<mspId>".
type Partner struct {
	MSPID           string    `json:"mspId"`
	Name            string    `json:"name"`
	Address         string    `json:"address"`
	GLN             string    `json:"gln"`
	Locations       []string  `json:"locations"`
	Roles           []string  `json:"roles"`
	CompanyPrefixes []string  `json:"companyPrefixes,omitempty"`
	License         string    `json:"license,omitempty"`
	Status          string    `json:"status"`
	StatusReason    string    `json:"statusReason,omitempty"`
	RegisteredBy    Actor     `json:"registeredBy"`
	RegisteredAt    time.Time `json:"registeredAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

// Product is the master data of one GTIN, what DSCSA transaction information names for each line.
// Key: "product/<gtin>".
type Product struct {
	GTIN          string    `json:"gtin"`
	NDC           string    `json:"ndc,omitempty"`
	Name          string    `json:"name"`
	Strength      string    `json:"strength"`
	DosageForm    string    `json:"dosageForm"`
	ContainerSize string    `json:"containerSize"`
	Owner         string    `json:"owner"`
	RegisteredBy  Actor     `json:"registeredBy"`
	RegisteredAt  time.Time `json:"registeredAt"`
}

// Lot ties a lot number of a GTIN to its one expiry date. Key: "lot/<gtin>/<lot escaped>".
type Lot struct {
	GTIN         string    `json:"gtin"`
	Lot          string    `json:"lot"`
	Expiry       string    `json:"expiry"`
	Commissioned int       `json:"commissioned"`
	Owner        string    `json:"owner"`
	FirstAt      time.Time `json:"firstAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// Object kinds.
const (
	kindSGTIN = "sgtin" // a serialised saleable unit (pack)
	kindSSCC  = "sscc"  // a logistic unit: case, tote, pallet
)

// Object statuses. Terminal item statuses end the item's life; a container is "emptied" once unpacked.
const (
	statusActive         = "active"
	statusInTransit      = "in_transit"
	statusDispensed      = "dispensed"
	statusDecommissioned = "decommissioned"
	statusDestroyed      = "destroyed"
	statusRepackaged     = "repackaged"
	statusEmptied        = "emptied"
)

// ObjectRef names a serialised item (gtin + serial) or a logistic unit (sscc) in arguments and records.
type ObjectRef struct {
	GTIN   string `json:"gtin,omitempty"`
	Serial string `json:"serial,omitempty"`
	SSCC   string `json:"sscc,omitempty"`
}

// Object is the ledger state of one item or container. While an object sits in a container (Parent set), its own
// custody fields are frozen: custody, location and transit status are those of the outermost container, so a
// pallet moves with one write however many packs it holds. Key: "item/<gtin>/<serial escaped>" or
// "container/<sscc>".
type Object struct {
	Kind          string      `json:"kind"`
	EPC           string      `json:"epc"`
	GTIN          string      `json:"gtin,omitempty"`
	Serial        string      `json:"serial,omitempty"`
	Lot           string      `json:"lot,omitempty"`
	Expiry        string      `json:"expiry,omitempty"`
	SSCC          string      `json:"sscc,omitempty"`
	Parent        string      `json:"parent,omitempty"`
	Children      []ObjectRef `json:"children,omitempty"`
	Owner         string      `json:"owner"`
	Status        string      `json:"status"`
	Disposition   string      `json:"disposition"`
	Location      string      `json:"location,omitempty"`
	Shipment      string      `json:"shipment,omitempty"`
	DerivedFrom   []string    `json:"derivedFrom,omitempty"`
	CreatedBy     Actor       `json:"createdBy"`
	CreatedAt     time.Time   `json:"createdAt"`
	CreatedEvent  string      `json:"createdEvent"`
	LastEvent     string      `json:"lastEvent"`
	LastEventTime time.Time   `json:"lastEventTime"`
}

// Shipment status values.
const (
	shipmentInTransit = "in_transit"
	shipmentReceived  = "received"
)

// Shipment is one change of ownership with its DSCSA transaction information and statement.
// Key: "shipment/<shipmentId>".
type Shipment struct {
	ID                     string                 `json:"shipmentId"`
	From                   string                 `json:"from"`
	To                     string                 `json:"to"`
	ShipFrom               string                 `json:"shipFrom"`
	ShipTo                 string                 `json:"shipTo"`
	Objects                []ObjectRef            `json:"objects"`
	Units                  int                    `json:"units"`
	Return                 bool                   `json:"return,omitempty"`
	Status                 string                 `json:"status"`
	ShippedBy              Actor                  `json:"shippedBy"`
	ShippedAt              time.Time              `json:"shippedAt"`
	ShippedEvent           string                 `json:"shippedEvent"`
	ReceivedBy             *Actor                 `json:"receivedBy,omitempty"`
	ReceivedAt             *time.Time             `json:"receivedAt,omitempty"`
	ReceivedEvent          string                 `json:"receivedEvent,omitempty"`
	TransactionInformation TransactionInformation `json:"transactionInformation"`
	TransactionStatement   TransactionStatement   `json:"transactionStatement"`
	TIHash                 string                 `json:"transactionInformationHash"`
}

// TransactionInformation is DSCSA transaction information (FD&C Act §581(26)), derived by the contract from
// the ledger so it cannot disagree with the product shipped.
type TransactionInformation struct {
	TransactionDate string    `json:"transactionDate"`
	ShipmentDate    string    `json:"shipmentDate"`
	PurchaseOrder   string    `json:"purchaseOrder,omitempty"`
	Transferor      TIParty   `json:"transferor"`
	Transferee      TIParty   `json:"transferee"`
	Products        []TILine  `json:"products"`
	RecordedAt      time.Time `json:"recordedAt"`
}

// TIParty is the business name and address of a transferor or transferee.
type TIParty struct {
	MSPID   string `json:"mspId"`
	Name    string `json:"name"`
	Address string `json:"address"`
	GLN     string `json:"gln"`
	License string `json:"license,omitempty"`
}

// TILine is one product and lot of a shipment, with the package-level product identifiers DSCSA's enhanced
// drug distribution security requires since November 2023.
type TILine struct {
	GTIN          string   `json:"gtin"`
	NDC           string   `json:"ndc,omitempty"`
	Name          string   `json:"name"`
	Strength      string   `json:"strength"`
	DosageForm    string   `json:"dosageForm"`
	ContainerSize string   `json:"containerSize"`
	Lot           string   `json:"lot"`
	Expiry        string   `json:"expiry"`
	Quantity      int      `json:"quantity"`
	Serials       []string `json:"serials"`
}

// transactionStatementText is the DSCSA transaction statement (§581(27)) as the industry words it.
const transactionStatementText = "Seller has complied with each applicable subsection of FDCA Sec. 581(27)(A)-(G)."

// TransactionStatement is the seller's attestation, with who attested and when.
type TransactionStatement struct {
	Statement  string    `json:"statement"`
	AttestedBy Actor     `json:"attestedBy"`
	AttestedAt time.Time `json:"attestedAt"`
}

// Recall is an active recall of one lot. Key: "recall/<gtin>/<lot escaped>".
type Recall struct {
	GTIN   string    `json:"gtin"`
	Lot    string    `json:"lot"`
	Class  string    `json:"class"`
	Reason string    `json:"reason"`
	Units  int       `json:"units"`
	By     Actor     `json:"by"`
	At     time.Time `json:"at"`
}

// Investigation statuses (DSCSA §582 suspect and illegitimate product handling).
const (
	invSuspect      = "suspect"
	invQuarantined  = "quarantined"
	invCleared      = "cleared"
	invIllegitimate = "illegitimate"
)

// Investigation is the suspect-product record of one product identifier, commissioned or not.
// Key: "investigation/<gtin>/<serial escaped>".
type Investigation struct {
	GTIN         string              `json:"gtin"`
	Serial       string              `json:"serial"`
	EPC          string              `json:"epc"`
	Status       string              `json:"status"`
	Rule         string              `json:"rule,omitempty"`
	Commissioned bool                `json:"commissioned"`
	Steps        []InvestigationStep `json:"steps"`
	UpdatedAt    time.Time           `json:"updatedAt"`
}

// InvestigationStep is one decision in an investigation.
type InvestigationStep struct {
	Status string    `json:"status"`
	Reason string    `json:"reason"`
	By     Actor     `json:"by"`
	At     time.Time `json:"at"`
}

// Verification records one verify request and its answer (DSCSA §582 verification, e.g. of saleable returns).
// Key: "verification/<gtin>/<serial escaped>/<time>/<txid>".
type Verification struct {
	Presented productIdentifier `json:"presented"`
	Purpose   string            `json:"purpose"`
	Status    string            `json:"status"`
	Flags     []string          `json:"flags"`
	By        Actor             `json:"by"`
	At        time.Time         `json:"at"`
}
