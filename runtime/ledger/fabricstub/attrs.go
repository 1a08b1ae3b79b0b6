package fabricstub

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"fmt"
)

// attrsOID is the certificate extension in which Fabric CA stores attributes: its value is the JSON
// {"attrs":{"name":"value",...}}.
var attrsOID = asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}

// certAttributes returns the Fabric CA attributes of cert (an empty map when it has none). It reads the
// extension itself rather than through attrmgr so that a malformed value is an error, not an empty set.
func certAttributes(cert *x509.Certificate) (map[string]string, error) {
	for _, ext := range cert.Extensions {
		if !ext.Id.Equal(attrsOID) {
			continue
		}
		var doc struct {
			Attrs map[string]string `json:"attrs"`
		}
		if err := json.Unmarshal(ext.Value, &doc); err != nil {
			return nil, fmt.Errorf("attribute extension %s: %w", attrsOID, err)
		}
		if doc.Attrs == nil {
			return map[string]string{}, nil
		}
		return doc.Attrs, nil
	}
	return map[string]string{}, nil
}
