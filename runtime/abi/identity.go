package abi

// Identity is the caller's identity as the caller host function hands it to the guest, JSON-encoded (ABI.md §5).
type Identity struct {
	// MSPID is the caller's organisation, e.g. "Hospital1MSP".
	MSPID string `json:"mspId"`
	// ID is Fabric's client identity id: "x509::<subject>::<issuer>".
	ID string `json:"id"`
	// Subject is the certificate subject distinguished name.
	Subject string `json:"subject"`
	// Issuer is the certificate issuer distinguished name.
	Issuer string `json:"issuer"`
	// Role is the Fabric NodeOU: admin, client, peer, orderer, or member when none applies.
	Role string `json:"role"`
	// Attrs are the certificate's Fabric CA attributes; never nil in the encoded form.
	Attrs map[string]string `json:"attrs"`
}
