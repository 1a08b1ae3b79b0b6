package fabricstub

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/medledger/medledger/runtime/abi"
)

// NodeOU roles a creator certificate can carry, in the order Caller looks for them.
var nodeOURoles = []string{"admin", "client", "peer", "orderer"}

// RoleMember is the role of a creator whose certificate carries none of the NodeOU roles.
const RoleMember = "member"

// Creator is the identity that submitted the transaction: what the contract sees (Identity) and the
// certificate it came from. The peer validated the certificate against the creator's MSP before the chaincode
// ran, so its OU and attributes can be trusted.
type Creator struct {
	Identity    abi.Identity
	Certificate *x509.Certificate
}

// IsAdmin reports whether the creator holds the admin NodeOU.
func (c Creator) IsAdmin() bool { return c.Identity.Role == "admin" }

// Caller returns the transaction creator: MSP ID, Fabric client identity ID ("x509::<subject>::<issuer>"),
// subject and issuer, NodeOU role (admin, client, peer, orderer, or member when none applies) and Fabric CA
// attributes (never nil).
//
// # Errors
//
// The creator is missing or not a serialized X.509 identity (idemix creators are not supported), or its
// attribute extension is not the JSON Fabric CA writes.
func Caller(stub shim.ChaincodeStubInterface) (Creator, error) {
	id, err := cid.New(stub)
	if err != nil {
		return Creator{}, fmt.Errorf("creator: %w", err)
	}
	cert, _ := id.GetX509Certificate()
	if cert == nil {
		return Creator{}, fmt.Errorf("creator: not an X.509 identity (idemix is not supported)")
	}
	msp, _ := id.GetMSPID()
	enc, err := id.GetID()
	if err != nil {
		return Creator{}, fmt.Errorf("creator: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return Creator{}, fmt.Errorf("creator: identity id: %w", err)
	}
	full := string(raw)
	subject, issuer, _ := strings.Cut(strings.TrimPrefix(full, "x509::"), "::")
	out := abi.Identity{MSPID: msp, ID: full, Subject: subject, Issuer: issuer, Role: RoleMember, Attrs: map[string]string{}}
	for _, role := range nodeOURoles {
		if hasOU(cert, role) {
			out.Role = role
			break
		}
	}
	attrs, err := certAttributes(cert)
	if err != nil {
		return Creator{}, fmt.Errorf("creator %s: %w", cert.Subject.CommonName, err)
	}
	maps.Copy(out.Attrs, attrs)
	return Creator{Identity: out, Certificate: cert}, nil
}

func hasOU(cert *x509.Certificate, ou string) bool {
	for _, v := range cert.Subject.OrganizationalUnit {
		if strings.EqualFold(v, ou) {
			return true
		}
	}
	return false
}

// TxTime returns the transaction timestamp the client put in the proposal: the same on every endorsing peer.
//
// # Errors
//
// The proposal has no timestamp, or it is invalid.
func TxTime(stub shim.ChaincodeStubInterface) (time.Time, error) {
	ts, err := stub.GetTxTimestamp()
	if err != nil {
		return time.Time{}, fmt.Errorf("transaction timestamp: %w", err)
	}
	if ts == nil {
		return time.Time{}, fmt.Errorf("transaction timestamp: the proposal has none")
	}
	if err := ts.CheckValid(); err != nil {
		return time.Time{}, fmt.Errorf("transaction timestamp: %w", err)
	}
	return ts.AsTime().UTC(), nil
}
