package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// Pure GS1 helpers, table-tested on the host; everything else is tested through the engine.

func TestGS1_validateKeys(t *testing.T) {
	tests := []struct {
		name, kind, in, wantErr string
	}{
		{"NDC-based GTIN", "gtin", gtinAcme, ""},
		{"GS1 example GTIN", "gtin", "09506000134352", ""},
		{"GTIN bad check digit", "gtin", "00361414123459", "has check digit 9, want 8"},
		{"GTIN-13 not padded", "gtin", "9506000134352", "exactly 14 digits"},
		{"GTIN letters", "gtin", "0036141412345A", "digits only"},
		{"GLN", "gln", glnAcme, ""},
		{"GLN bad check digit", "gln", "0361414000002", "want 1"},
		{"SSCC", "sscc", ssccCase1, ""},
		{"GS1 example SSCC", "sscc", "106141412345678908", ""},
		{"SSCC bad check digit", "sscc", "003614140000000019", "want 8"},
	}
	validators := map[string]func(string) error{"gtin": validateGTIN, "gln": validateGLN, "sscc": validateSSCC}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validators[tt.kind](tt.in)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("validate %s(%q) = %v, want error containing %q", tt.kind, tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestGS1_validateSerial(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"SN7F3K9Q2X", ""},
		{`A!"%&'()*+,-./:;<=>?_z`[:20], ""},
		{"", "serial is required"},
		{"123456789012345678901", "at most 20"},
		{"AB CD", `contains ' ' at position 3`},
		{"AB#1", `contains '#'`},
		{"Ä1", "outside GS1 character set 82"},
	}
	for _, tt := range tests {
		err := validateSerial(tt.in)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("validateSerial(%q) = %v, want error containing %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestGS1_escapeAndURIs(t *testing.T) {
	tests := []struct{ got, want string }{
		{escape("ABC-12.x_y"), "ABC-12.x_y"},
		{escape("A/B%C"), "A%2FB%25C"},
		{sgtinURI(gtinAcme, "SN/1"), "https://id.gs1.org/01/00361414123458/21/SN%2F1"},
		{ssccURI(ssccCase1), "https://id.gs1.org/00/003614140000000018"},
		{locationURI(glnAcmePlant, ""), "https://id.gs1.org/414/0361414000018"},
		{locationURI(glnAcmePlant, "line 4"), "https://id.gs1.org/414/0361414000018/254/line%204"},
		{partyURI(glnAcme), "https://id.gs1.org/417/0361414000001"},
		{ndcFromGTIN(gtinAcme), "6141412345"},
		{ndcFromGTIN("09506000134352"), ""},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
	// Escaping is injective, so distinct serials never share a key.
	if escape("A%2F") == escape("A/") {
		t.Error("escape is not injective")
	}
}

func TestGS1_gs1Date(t *testing.T) {
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct{ in, want, wantErr string }{
		{"280630", "2028-06-30", ""},
		{"280200", "2028-02-29", ""}, // day 00: last day of the month, leap year
		{"270200", "2027-02-28", ""},
		{"991231", "1999-12-31", ""}, // 99-26 = 73 ≥ 51: previous century
		{"751231", "2075-12-31", ""}, // 75-26 = 49: this century
		{"280631", "", "has day 31"},
		{"281301", "", "has month 13"},
		{"2806", "", "must be 6 digits"},
	}
	for _, tt := range tests {
		got, err := gs1Date(tt.in, now)
		if got != tt.want || tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("gs1Date(%q) = %q, %v; want %q, error containing %q", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestGS1_expired(t *testing.T) {
	day := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		now  time.Time
		want bool
	}{
		{day.Add(-time.Hour), false},
		{day.Add(23*time.Hour + 59*time.Minute), false}, // usable through the whole expiry day
		{day.Add(24 * time.Hour), true},
	}
	for _, tt := range tests {
		if got := expired("2027-06-30", tt.now); got != tt.want {
			t.Errorf("expired(2027-06-30, %s) = %v, want %v", tt.now, got, tt.want)
		}
	}
}

func TestGS1_parseBarcode(t *testing.T) {
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	want := productIdentifier{GTIN: gtinAcme, Serial: "SN7F3K9Q2X", Lot: "LA2601", Expiry: "2028-06-30"}
	tests := []struct {
		name, in string
		want     productIdentifier
		wantErr  string
	}{
		{"human readable", "(01)00361414123458(17)280630(10)LA2601(21)SN7F3K9Q2X", want, ""},
		{"raw with symbology id", "]d2010036141412345817280630" + "10LA2601\x1d21SN7F3K9Q2X", want, ""},
		{"raw serial first", "0100361414123458" + "21SN7F3K9Q2X\x1d10LA2601\x1d17280630", want, ""},
		{"production date ignored", "(01)00361414123458(11)260101(21)SN7F3K9Q2X", productIdentifier{GTIN: gtinAcme, Serial: "SN7F3K9Q2X"}, ""},
		{"no serial", "(01)00361414123458(10)LA2601", productIdentifier{}, "lacks AI (01) GTIN or AI (21) serial"},
		{"unsupported AI", "(01)00361414123458(21)X(240)ABC", productIdentifier{}, "AI (240) is not supported"},
		{"raw unsupported AI", "0100361414123458" + "99ABC", productIdentifier{}, "AI (99) is not supported"},
		{"short GTIN", "(01)0036141412345(21)X", productIdentifier{}, "AI (01) value \"0036141412345\" must be 14 characters"},
		{"raw truncated GTIN", "01003614", productIdentifier{}, "needs 14 digits"},
		{"repeated AI", "(01)00361414123458(21)A(21)B", productIdentifier{}, "AI (21) appears twice"},
		{"unclosed", "(01", productIdentifier{}, "unclosed"},
		{"bad expiry", "(01)00361414123458(21)X(17)281301", productIdentifier{}, "has month 13"},
		{"serial too long", "(01)00361414123458(21)123456789012345678901", productIdentifier{}, "must be 1 to 20 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseBarcode(tt.in, now)
			if got != tt.want || tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("parseBarcode(%q) = %+v, %v; want %+v, error containing %q", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestGS1_productNDC(t *testing.T) {
	tests := []struct{ gtin, ndc, want, wantErr string }{
		{gtinAcme, "", "6141412345", ""},
		{gtinAcme, "61414-123-45", "61414-123-45", ""},
		{gtinAcme, "61414-124-45", "", "does not match the NDC 6141412345"},
		{gtinAcme, "6141412345", "", "4-4-2, 5-3-2 or 5-4-1"},
		{gtinAcme, "6141-4123-4a", "", "4-4-2, 5-3-2 or 5-4-1"},
		{"09506000134352", "", "", ""},
		{"09506000134352", "1234-5678-90", "1234-5678-90", ""},
	}
	for _, tt := range tests {
		got, err := productNDC(tt.gtin, tt.ndc)
		if got != tt.want || tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("productNDC(%s, %q) = %q, %v; want %q, error containing %q", tt.gtin, tt.ndc, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestEPCIS_eventID(t *testing.T) {
	id := eventID("4f3c2a")
	if !regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("eventID = %q, not a version-8 UUID URN", id)
	}
	if eventID("4f3c2a") != id || eventID("4f3c2b") == id {
		t.Error("eventID is not a deterministic function of the transaction id")
	}
}
