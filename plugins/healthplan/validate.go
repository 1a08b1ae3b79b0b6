package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/medledger/medledger/plugins/sdk"
)

// Bounds on what one call may carry, so every record stays far below the host's value limit and one claim
// stays within the per-call write limit (about 2 writes per line plus a handful).
const (
	maxClaimLines   = 50 // X12 837P allows 50 service lines per claim
	maxModifiers    = 4  // SV101-3..6
	maxUnits        = 9999
	maxChargeCents  = 9_999_999_999 // $99,999,999.99 per line
	maxFeeCents     = 999_999_999   // per unit
	maxCopayCents   = 99_999_999
	maxPlanCents    = 99_999_999_999 // deductibles and out-of-pocket maxima
	maxBenefits     = 200
	maxRanges       = 100 // code ranges per benefit, and exclusions
	maxFeeEntries   = 5000
	maxNetwork      = 200
	maxNameLen      = 128
	maxLocationLen  = 512
	maxPageSize     = 100
	maxFilingDays   = 3650
	maxPeriodDays   = 366 // a plan year or an authorization's validity
	bpsWhole        = 10_000
	maxFeePercentBp = 30_000 // out-of-network allowances can exceed the in-network schedule
)

func invalid(format string, args ...any) error {
	return sdk.NewError(sdk.InvalidArgument, fmt.Sprintf(format, args...))
}

func notFound(format string, args ...any) error {
	return sdk.NewError(sdk.NotFound, fmt.Sprintf(format, args...))
}

func denied(format string, args ...any) error {
	return sdk.NewError(sdk.PermissionDenied, fmt.Sprintf(format, args...))
}

func precondition(format string, args ...any) error {
	return sdk.NewError(sdk.FailedPrecondition, fmt.Sprintf(format, args...))
}

func exists(format string, args ...any) error {
	return sdk.NewError(sdk.AlreadyExists, fmt.Sprintf(format, args...))
}

func internal(format string, args ...any) error {
	return sdk.NewError(sdk.Internal, fmt.Sprintf(format, args...))
}

// pseudonym checks a member or family id: 64 lowercase hex digits, the salted SHA-256 the payer computes
// off-chain from its own member number. The value is not echoed, in case a real identifier was sent by mistake.
func pseudonym(field, id string) error {
	if len(id) != 64 || !isLowerHex(id) {
		return invalid("%s must be a pseudonymous id of 64 lowercase hex digits (got %d characters)", field, len(id))
	}
	return nil
}

func isLowerHex(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// token checks an identifier that becomes a key segment: 1–max characters of [A-Za-z0-9._-], starting with a
// letter or digit (so it never contains the key separator "/").
func token(field, s string, max int) error {
	if s == "" || len(s) > max {
		return invalid("%s must be 1 to %d characters (got %d)", field, max, len(s))
	}
	for i := range len(s) {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '-' && c != '.' && c != '_') {
			return invalid("%s %q may hold only letters, digits, '.', '_' and '-', starting with a letter or digit", field, s)
		}
	}
	return nil
}

// procedureCode checks a CPT or HCPCS Level II code: five digits (CPT Category I), four digits and F, T or U
// (CPT Category II, III, proprietary laboratory analyses), or a letter A–V and four digits (HCPCS Level II).
func procedureCode(field, c string) error {
	if codeClass(c) == "" {
		return invalid("%s %q is not a CPT or HCPCS code (5 digits, 4 digits + F/T/U, or a letter A-V + 4 digits)", field, c)
	}
	return nil
}

// codeClass names the family a well-formed code belongs to ("" if malformed). Codes of one family sort in
// code order, so a range is only meaningful within one family.
func codeClass(c string) string {
	if len(c) != 5 {
		return ""
	}
	for i := 1; i < 4; i++ {
		if c[i] < '0' || c[i] > '9' {
			return ""
		}
	}
	first, last := c[0], c[4]
	switch {
	case first >= '0' && first <= '9' && last >= '0' && last <= '9':
		return "CPT"
	case first >= '0' && first <= '9' && (last == 'F' || last == 'T' || last == 'U'):
		return "CPT-" + string(last)
	case first >= 'A' && first <= 'V' && last >= '0' && last <= '9':
		return "HCPCS-" + string(first)
	}
	return ""
}

// modifier checks a procedure modifier: two upper-case letters or digits (e.g. 25, LT, RT, 59).
func modifier(field, m string) error {
	if len(m) != 2 || !isUpperAlnum(m) {
		return invalid("%s %q is not a procedure modifier (two upper-case letters or digits)", field, m)
	}
	return nil
}

func isUpperAlnum(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

const dateLayout = "2006-01-02"

// date checks a calendar date written YYYY-MM-DD (RFC 3339 full-date), so dates compare as strings.
func date(field, s string) error {
	if _, err := parseDate(s); err != nil {
		return invalid("%s %q is not a date YYYY-MM-DD", field, s)
	}
	return nil
}

func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(dateLayout, s)
	if err == nil && t.Format(dateLayout) != s {
		err = fmt.Errorf("not canonical")
	}
	return t, err
}

// addDays returns the date n days after the valid date d.
func addDays(d string, n int) string {
	t, _ := parseDate(d)
	return t.AddDate(0, 0, n).Format(dateLayout)
}

// daysBetween returns the number of days from the valid date a to the valid date b.
func daysBetween(a, b string) int {
	ta, _ := parseDate(a)
	tb, _ := parseDate(b)
	return int(tb.Sub(ta).Hours() / 24)
}

// txDate is the transaction's calendar date in UTC: "today" for every check of a call.
func txDate(ctx sdk.Context) string { return ctx.TxTime().Format(dateLayout) }

// amount checks a non-negative amount in cents up to max.
func amount(field string, v, max int64) error {
	if v < 0 || v > max {
		return invalid("%s must be 0 to %d cents (got %d)", field, max, v)
	}
	return nil
}

// bps checks a percentage in basis points (10000 = 100%) from 0 to max.
func bps(field string, v, max int) error {
	if v < 0 || v > max {
		return invalid("%s must be 0 to %d basis points (10000 = 100%%) (got %d)", field, max, v)
	}
	return nil
}

// name checks a display name: 1–128 printable characters. Plan names are product names, never about a person.
func name(field, s string) error {
	if s == "" || len(s) > maxNameLen {
		return invalid("%s must be 1 to %d bytes (got %d)", field, maxNameLen, len(s))
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return invalid("%s may not hold control characters", field)
		}
	}
	return nil
}

// purposeOfUse lists the HL7 v3 PurposeOfUse codes a reader may declare.
var purposeOfUse = []string{"COVAUTH", "ELIGVER", "FAMRQT", "HCOMPL", "HOPERAT", "HPAYMT", "PATRQT", "REMITADV", "TREAT"}

// purpose checks a declared purpose of use.
func purpose(p string) error {
	for _, ok := range purposeOfUse {
		if p == ok {
			return nil
		}
	}
	return invalid("purpose %q is not an HL7 PurposeOfUse code this contract accepts (%s)", p, strings.Join(purposeOfUse, ", "))
}

// pageSize checks a listing's page size; 0 means the maximum.
func pageSize(n int) (int, error) {
	switch {
	case n < 0 || n > maxPageSize:
		return 0, invalid("pageSize must be 0 to %d (got %d)", maxPageSize, n)
	case n == 0:
		return maxPageSize, nil
	}
	return n, nil
}
