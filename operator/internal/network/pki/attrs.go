package pki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
)

// AttrsOID is the certificate extension in which Fabric CA stores attributes:
// 1.2.3.4.5.6.7.8.1, its value the raw JSON {"attrs":{"name":"value",...}}. Chaincode reads
// it with the client identity library (cid.GetAttributeValue).
var AttrsOID = asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}

type attrsDoc struct {
	Attrs map[string]string `json:"attrs"`
}

func attrsExtension(attrs map[string]string) (pkix.Extension, error) {
	for name := range attrs {
		if name == "" {
			return pkix.Extension{}, errors.New("attribute name is empty")
		}
	}
	// encoding/json sorts map keys, so the extension is byte-for-byte reproducible.
	value, err := json.Marshal(attrsDoc{Attrs: attrs})
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("encoding attributes: %w", err)
	}
	return pkix.Extension{Id: AttrsOID, Critical: false, Value: value}, nil
}

// Attributes returns the Fabric CA attributes carried by cert, or an empty map if it has
// none.
//
// # Errors
//   - the extension is present but is not the JSON {"attrs":{...}} with string values.
func Attributes(cert *x509.Certificate) (map[string]string, error) {
	for _, ext := range cert.Extensions {
		if !ext.Id.Equal(AttrsOID) {
			continue
		}
		var doc attrsDoc
		if err := json.Unmarshal(ext.Value, &doc); err != nil {
			return nil, fmt.Errorf("pki: attribute extension of %q: %w", cert.Subject.CommonName, err)
		}
		if doc.Attrs == nil {
			doc.Attrs = map[string]string{}
		}
		return doc.Attrs, nil
	}
	return map[string]string{}, nil
}
