package sdk

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseIdentity(t *testing.T) {
	tests := []struct {
		name string
		json string
		want Identity
	}{
		{
			name: "ABI example",
			json: `{"mspId":"Hospital1MSP","id":"x509::CN=alice,OU=client::CN=ca.hospital1","subject":"CN=alice,OU=client",
				"issuer":"CN=ca.hospital1","role":"client","attrs":{"role":"clinician","onDuty":"true"}}`,
			want: Identity{MSPID: "Hospital1MSP", ID: "x509::CN=alice,OU=client::CN=ca.hospital1", Subject: "CN=alice,OU=client",
				Issuer: "CN=ca.hospital1", Role: "client", Attrs: map[string]string{"role": "clinician", "onDuty": "true"}},
		},
		{
			name: "no attrs gives an empty map",
			json: `{"mspId":"PharmaMSP","id":"x509::CN=bob::CN=ca","role":"member"}`,
			want: Identity{MSPID: "PharmaMSP", ID: "x509::CN=bob::CN=ca", Role: "member", Attrs: map[string]string{}},
		},
		{
			name: "unknown fields from a newer host are ignored",
			json: `{"mspId":"A","id":"x","attrs":{},"future":1}`,
			want: Identity{MSPID: "A", ID: "x", Attrs: map[string]string{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseIdentity([]byte(tt.json))
			if err != nil {
				t.Fatalf("parseIdentity: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseIdentity = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseIdentity_Errors(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"not JSON", `not json`, "not valid JSON"},
		{"absent (nil)", ``, "not valid JSON"},
		{"wrong type", `{"mspId":1}`, "not valid JSON"},
		{"no mspId", `{"id":"x509::a::b"}`, "lacks mspId or id"},
		{"no id", `{"mspId":"A"}`, "lacks mspId or id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseIdentity([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("parseIdentity(%q) error = %v, want it to contain %q", tt.json, err, tt.want)
			}
			if !reflect.DeepEqual(got, Identity{}) {
				t.Errorf("parseIdentity returned %+v with the error, want the zero Identity", got)
			}
		})
	}
}

func TestIdentity_Helpers(t *testing.T) {
	id := Identity{MSPID: "Hospital1MSP", Role: "client", Attrs: map[string]string{"role": "clinician", "empty": ""}}
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"HasRole match", id.HasRole("admin", "client"), true},
		{"HasRole none", id.HasRole("admin"), false},
		{"HasRole no args", id.HasRole(), false},
		{"HasAttr match", id.HasAttr("role", "clinician"), true},
		{"HasAttr other value", id.HasAttr("role", "nurse"), false},
		{"HasAttr absent", id.HasAttr("onDuty", ""), false},
		{"HasAttr present empty", id.HasAttr("empty", ""), true},
		{"IsMSP match", id.IsMSP("PharmaMSP", "Hospital1MSP"), true},
		{"IsMSP none", id.IsMSP("PharmaMSP"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	if v, ok := id.Attr("role"); v != "clinician" || !ok {
		t.Errorf(`Attr("role") = %q, %v; want "clinician", true`, v, ok)
	}
	if v, ok := id.Attr("missing"); v != "" || ok {
		t.Errorf(`Attr("missing") = %q, %v; want "", false`, v, ok)
	}
}
