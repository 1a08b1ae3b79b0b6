package fabricstub_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/medledger/medledger/runtime/abi"
	"github.com/medledger/medledger/runtime/ledger/fabricstub"
	"github.com/medledger/medledger/runtime/ledger/fabricstub/peertest"
)

// callerCC returns the creator's identity and the transaction time as JSON.
func callerCC(stub shim.ChaincodeStubInterface) *pb.Response {
	c, err := fabricstub.Caller(stub)
	if err != nil {
		return errResp(err)
	}
	ts, err := fabricstub.TxTime(stub)
	if err != nil {
		return errResp(err)
	}
	b, _ := json.Marshal(struct {
		ID    abi.Identity
		Admin bool
		CN    string
		Time  time.Time
	}{c.Identity, c.IsAdmin(), c.Certificate.Subject.CommonName, ts})
	return shim.Success(b)
}

func TestCaller(t *testing.T) {
	p := startPeer(t, callerCC, peertest.Options{})
	at := time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)
	tests := []struct {
		name  string
		id    peertest.Identity
		role  string
		admin bool
		attrs map[string]string
	}{
		{"admin", peertest.MustIdentity("Hospital1MSP", "Admin@hospital1", "admin", nil), "admin", true, map[string]string{}},
		{"client with attributes", peertest.MustIdentity("Hospital2MSP", "dr-lee", "client", map[string]string{"role": "clinician", "onDuty": "true"}),
			"client", false, map[string]string{"role": "clinician", "onDuty": "true"}},
		{"peer", peertest.MustIdentity("Hospital2MSP", "peer0", "peer", nil), "peer", false, map[string]string{}},
		{"no NodeOU is member", peertest.MustIdentity("Hospital2MSP", "legacy", "", nil), "member", false, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := p.Evaluate(peertest.Proposal{Creator: tt.id, Args: byteArgs("x"), Timestamp: at})
			if err != nil || !res.OK() {
				t.Fatalf("%v %v", err, res.Response)
			}
			var got struct {
				ID    abi.Identity
				Admin bool
				CN    string
				Time  time.Time
			}
			if err := json.Unmarshal(res.Response.Payload, &got); err != nil {
				t.Fatal(err)
			}
			cn := got.CN
			wantID := "x509::CN=" + cn
			if tt.role != "member" {
				wantID += ",OU=" + tt.role
			}
			wantID += "::CN=ca." + tt.id.MSPID + ",O=" + tt.id.MSPID
			if got.ID.MSPID != tt.id.MSPID || got.ID.Role != tt.role || got.Admin != tt.admin || got.ID.ID != wantID {
				t.Errorf("identity = %+v admin=%v, want msp %s role %s admin %v id %s", got.ID, got.Admin, tt.id.MSPID, tt.role, tt.admin, wantID)
			}
			if !strings.HasPrefix(got.ID.ID, "x509::"+got.ID.Subject+"::"+got.ID.Issuer) {
				t.Errorf("id %q does not join subject %q and issuer %q", got.ID.ID, got.ID.Subject, got.ID.Issuer)
			}
			if len(got.ID.Attrs) != len(tt.attrs) {
				t.Errorf("attrs = %v, want %v", got.ID.Attrs, tt.attrs)
			}
			for k, v := range tt.attrs {
				if got.ID.Attrs[k] != v {
					t.Errorf("attr %s = %q, want %q", k, got.ID.Attrs[k], v)
				}
			}
			if !got.Time.Equal(at) {
				t.Errorf("tx time = %v, want %v", got.Time, at)
			}
		})
	}
}

func TestCaller_Errors(t *testing.T) {
	p := startPeer(t, callerCC, peertest.Options{})
	tests := []struct {
		name string
		id   peertest.Identity
		want string
	}{
		{"certificate is not PEM", peertest.Identity{MSPID: "Hospital1MSP", Cert: []byte("garbage")}, "creator:"},
		{"PEM that is not a certificate", peertest.Identity{MSPID: "Hospital1MSP", Cert: []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")}, "creator:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := p.Evaluate(peertest.Proposal{Creator: tt.id, Args: byteArgs("x")})
			if err != nil {
				t.Fatal(err)
			}
			if res.OK() || !strings.Contains(res.Response.Message, tt.want) {
				t.Errorf("got %d %q, want an error containing %q", res.Response.Status, res.Response.Message, tt.want)
			}
		})
	}
}
