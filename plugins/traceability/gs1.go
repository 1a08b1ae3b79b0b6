package main

import (
	"fmt"
	"strings"
	"time"
)

// GS1 identifiers and encodings (GS1 General Specifications §3 and §7, GS1 Digital Link 1.x). Everything here is
// pure so it can be table-tested on the host.

// digitalLinkBase is the canonical GS1 Digital Link resolver, used to spell identifiers as EPCIS 2.0 URIs.
const digitalLinkBase = "https://id.gs1.org"

// gs1CheckDigit returns the GS1 mod-10 check digit of the data digits (the identifier without its last digit):
// weights 3 and 1 alternate starting with 3 at the rightmost data digit. Used by GTIN, GLN and SSCC.
func gs1CheckDigit(data string) byte {
	sum := 0
	for i := len(data) - 1; i >= 0; i-- {
		d := int(data[i] - '0')
		if (len(data)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// validateDigits checks that s is an n-digit GS1 key with a correct check digit; what names it in errors.
func validateDigits(what, s string, n int) error {
	if len(s) != n {
		return fmt.Errorf("%s %q must be exactly %d digits, got %d characters", what, s, n, len(s))
	}
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%s %q must be digits only", what, s)
		}
	}
	if want := gs1CheckDigit(s[:n-1]); s[n-1] != want {
		return fmt.Errorf("%s %q has check digit %c, want %c", what, s, s[n-1], want)
	}
	return nil
}

// validateGTIN checks a GTIN-14 (AI 01). Shorter GTINs must be left-padded with zeros to 14 digits, as GS1
// requires in data carriers and EPCIS.
func validateGTIN(s string) error { return validateDigits("GTIN", s, 14) }

// validateGLN checks a 13-digit Global Location Number (AI 414 location, AI 417 party).
func validateGLN(s string) error { return validateDigits("GLN", s, 13) }

// validateSSCC checks an 18-digit Serial Shipping Container Code (AI 00).
func validateSSCC(s string) error { return validateDigits("SSCC", s, 18) }

// isCSET82 reports whether c is in GS1 AI encodable character set 82 (General Specifications figure 7.11-1),
// the alphabet of serial numbers (AI 21) and lot numbers (AI 10).
func isCSET82(c byte) bool {
	switch {
	case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte(`!"%&'()*+,-./:;<=>?_`, c) >= 0
}

// validateCSET82 checks a 1..max character string of CSET 82 characters; what names it in errors.
func validateCSET82(what, s string, max int) error {
	if s == "" {
		return fmt.Errorf("%s is required", what)
	}
	if len(s) > max {
		return fmt.Errorf("%s %q is %d characters, GS1 allows at most %d", what, s, len(s), max)
	}
	for i := 0; i < len(s); i++ {
		if !isCSET82(s[i]) {
			return fmt.Errorf("%s %q contains %q at position %d, outside GS1 character set 82", what, s, s[i], i+1)
		}
	}
	return nil
}

// validateSerial checks a serial number (AI 21; DSCSA: up to 20 alphanumeric characters).
func validateSerial(s string) error { return validateCSET82("serial", s, 20) }

// validateLot checks a lot/batch number (AI 10).
func validateLot(s string) error { return validateCSET82("lot", s, 20) }

// validateCompanyPrefix checks a GS1 Company Prefix: 4 to 12 digits (GS1 assigns 6–12; U.P.C. prefixes with a
// leading zero and NDC-based "03" prefixes fall in that range too).
func validateCompanyPrefix(s string) error {
	if len(s) < 4 || len(s) > 12 {
		return fmt.Errorf("GS1 company prefix %q must be 4 to 12 digits", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("GS1 company prefix %q must be digits only", s)
		}
	}
	return nil
}

// gtinHasPrefix reports whether the GTIN-14 was allocated under the company prefix: after the indicator digit,
// a GTIN-14 starts with the prefix of the company that owns it.
func gtinHasPrefix(gtin, prefix string) bool { return strings.HasPrefix(gtin[1:], prefix) }

// ndcFromGTIN returns the 10-digit NDC embedded in an NDC-based GTIN-14 (indicator, "03", NDC, check digit), or
// "" when the GTIN is not NDC-based. The NDC's 4-4-2/5-3-2/5-4-1 hyphenation is not recoverable from the digits.
func ndcFromGTIN(gtin string) string {
	if len(gtin) == 14 && gtin[1:3] == "03" {
		return gtin[3:13]
	}
	return ""
}

// escape percent-encodes every byte outside [A-Za-z0-9._-], as GS1 Digital Link requires for serials and lots.
// The encoding is injective and never contains '/', so escaped values can be key segments.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// sgtinURI is the GS1 Digital Link URI of a serialised trade item, EPCIS 2.0's form of an SGTIN EPC.
func sgtinURI(gtin, serial string) string {
	return digitalLinkBase + "/01/" + gtin + "/21/" + escape(serial)
}

// ssccURI is the GS1 Digital Link URI of a logistic unit.
func ssccURI(sscc string) string { return digitalLinkBase + "/00/" + sscc }

// locationURI is the GS1 Digital Link URI of a physical location (AI 414), with an optional extension (AI 254)
// naming a spot inside it such as a dock door, as EPCIS readPoint and bizLocation use.
func locationURI(gln, ext string) string {
	if ext == "" {
		return digitalLinkBase + "/414/" + gln
	}
	return digitalLinkBase + "/414/" + gln + "/254/" + escape(ext)
}

// partyURI is the GS1 Digital Link URI of a party (AI 417), as EPCIS sourceList/destinationList use.
func partyURI(gln string) string { return digitalLinkBase + "/417/" + gln }

// dateLayout is the RFC 3339 full-date form used for expiry and transaction dates.
const dateLayout = "2006-01-02"

// parseDate parses a YYYY-MM-DD date; what names it in errors.
func parseDate(what, s string) (time.Time, error) {
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not a YYYY-MM-DD date", what, s)
	}
	return d, nil
}

// expired reports whether a product with expiry date (YYYY-MM-DD, already validated) is expired at now: GS1
// expiry dates are inclusive, so the product may be used through the whole expiry day (UTC).
func expired(expiry string, now time.Time) bool {
	d, err := time.Parse(dateLayout, expiry)
	return err == nil && !now.Before(d.AddDate(0, 0, 1))
}

// gs1Date converts an AI (17) YYMMDD expiry to YYYY-MM-DD. The century follows GS1 General Specifications
// §7.12 relative to now's year; day 00 means the last day of the month.
func gs1Date(s string, now time.Time) (string, error) {
	if len(s) != 6 || strings.Trim(s, "0123456789") != "" {
		return "", fmt.Errorf("expiry (17) %q must be 6 digits YYMMDD", s)
	}
	yy := int(s[0]-'0')*10 + int(s[1]-'0')
	mm := int(s[2]-'0')*10 + int(s[3]-'0')
	dd := int(s[4]-'0')*10 + int(s[5]-'0')
	cur := now.Year()
	year := cur - cur%100 + yy
	switch diff := yy - cur%100; {
	case diff >= 51:
		year -= 100
	case diff <= -50:
		year += 100
	}
	if mm < 1 || mm > 12 {
		return "", fmt.Errorf("expiry (17) %q has month %02d", s, mm)
	}
	last := time.Date(year, time.Month(mm)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if dd == 0 {
		dd = last
	}
	if dd > last {
		return "", fmt.Errorf("expiry (17) %q has day %02d, but %04d-%02d has %d days", s, dd, year, mm, last)
	}
	return fmt.Sprintf("%04d-%02d-%02d", year, mm, dd), nil
}
