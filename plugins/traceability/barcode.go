package main

import (
	"fmt"
	"strings"
	"time"
)

// groupSeparator is ASCII GS, how scanners transmit FNC1 between variable-length element strings.
const groupSeparator = '\x1d'

// productIdentifier is the DSCSA product identifier, the GS1 SGTIN plus its lot and expiry: what the 2D
// DataMatrix on a pack carries as AIs (01), (21), (10) and (17).
type productIdentifier struct {
	GTIN   string `json:"gtin"`
	Serial string `json:"serial"`
	Lot    string `json:"lot,omitempty"`
	Expiry string `json:"expiry,omitempty"`
}

// aiSpec describes one application identifier a product barcode may carry.
type aiSpec struct {
	fixed int // fixed value length, 0 for variable
	max   int // maximum length of a variable value
}

// productAIs are the AIs accepted in a scanned product identifier; (11) production date is read and ignored.
var productAIs = map[string]aiSpec{
	"01": {fixed: 14},
	"11": {fixed: 6},
	"17": {fixed: 6},
	"10": {max: 20},
	"21": {max: 20},
}

// parseBarcode decodes a GS1 element string as scanned from a pack's DataMatrix into a product identifier.
// Two spellings are accepted: the human-readable "(01)…(17)…(10)…(21)…" (values may then not contain "("),
// and the raw scanner form, optionally starting with a symbology identifier such as "]d2", where a GS character
// ends each variable-length value that is not last. now resolves the century of the YYMMDD expiry.
func parseBarcode(s string, now time.Time) (productIdentifier, error) {
	var fields map[string]string
	var err error
	if strings.HasPrefix(s, "(") {
		fields, err = parseHRI(s)
	} else {
		fields, err = parseRaw(s)
	}
	if err != nil {
		return productIdentifier{}, err
	}
	var p productIdentifier
	p.GTIN, p.Serial, p.Lot = fields["01"], fields["21"], fields["10"]
	if p.GTIN == "" || p.Serial == "" {
		return productIdentifier{}, fmt.Errorf("barcode %q lacks AI (01) GTIN or AI (21) serial", s)
	}
	if exp, ok := fields["17"]; ok {
		if p.Expiry, err = gs1Date(exp, now); err != nil {
			return productIdentifier{}, err
		}
	}
	return p, nil
}

// parseHRI splits "(AI)value(AI)value…".
func parseHRI(s string) (map[string]string, error) {
	fields := map[string]string{}
	for rest := s; rest != ""; {
		if rest[0] != '(' {
			return nil, fmt.Errorf("barcode %q: expected \"(\" at %q", s, rest)
		}
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return nil, fmt.Errorf("barcode %q: unclosed \"(\"", s)
		}
		ai := rest[1:end]
		rest = rest[end+1:]
		next := strings.IndexByte(rest, '(')
		if next < 0 {
			next = len(rest)
		}
		if err := addField(fields, s, ai, rest[:next]); err != nil {
			return nil, err
		}
		rest = rest[next:]
	}
	return fields, nil
}

// parseRaw splits the concatenated scanner form, in which fixed-length AIs need no separator.
func parseRaw(s string) (map[string]string, error) {
	rest := s
	if len(rest) >= 3 && rest[0] == ']' {
		rest = rest[3:] // symbology identifier, e.g. "]d2" for GS1 DataMatrix
	}
	fields := map[string]string{}
	for rest != "" {
		if len(rest) < 2 {
			return nil, fmt.Errorf("barcode %q: truncated AI at %q", s, rest)
		}
		ai := rest[:2]
		spec, ok := productAIs[ai]
		if !ok {
			return nil, fmt.Errorf("barcode %q: AI (%s) is not supported in a product identifier (supported: 01, 10, 11, 17, 21)", s, ai)
		}
		rest = rest[2:]
		n := spec.fixed
		if n == 0 {
			n = strings.IndexByte(rest, groupSeparator)
			if n < 0 {
				n = len(rest)
			}
		} else if len(rest) < n {
			return nil, fmt.Errorf("barcode %q: AI (%s) needs %d digits, %d left", s, ai, n, len(rest))
		}
		if err := addField(fields, s, ai, rest[:n]); err != nil {
			return nil, err
		}
		rest = strings.TrimPrefix(rest[n:], string(groupSeparator))
	}
	return fields, nil
}

// addField validates one AI's value length and stores it, refusing repeated AIs.
func addField(fields map[string]string, s, ai, v string) error {
	spec, ok := productAIs[ai]
	switch {
	case !ok:
		return fmt.Errorf("barcode %q: AI (%s) is not supported in a product identifier (supported: 01, 10, 11, 17, 21)", s, ai)
	case spec.fixed > 0 && len(v) != spec.fixed:
		return fmt.Errorf("barcode %q: AI (%s) value %q must be %d characters", s, ai, v, spec.fixed)
	case spec.fixed == 0 && (v == "" || len(v) > spec.max):
		return fmt.Errorf("barcode %q: AI (%s) value %q must be 1 to %d characters", s, ai, v, spec.max)
	}
	if _, dup := fields[ai]; dup {
		return fmt.Errorf("barcode %q: AI (%s) appears twice", s, ai)
	}
	fields[ai] = v
	return nil
}
