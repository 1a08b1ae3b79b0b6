package chaincode

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	mspproto "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// Governance rules: how many of the members' peers must endorse a registry change.
const (
	RuleMajority = "MAJORITY" // more than half (the default)
	RuleAll      = "ALL"
	RuleAny      = "ANY"
)

// Governance is the consortium's policy for changing the registry (deploy, upgrade, governance itself): the
// member organisations and how many of them must endorse. wasmcc sets it as the key-level (state-based)
// endorsement policy of every registry key, so Fabric's validation, not only this chaincode, enforces it.
type Governance struct {
	// Members are the MSP IDs of the member hospitals, sorted.
	Members []string `json:"members"`
	// Rule is MAJORITY, ALL, ANY or a number N (at least N members).
	Rule string `json:"rule"`
	// Required is how many members' peers must endorse, computed from Rule.
	Required int `json:"required"`
	// Version counts governance changes; UpdatedBy, TxID and Timestamp record the last one.
	Version   uint64    `json:"version"`
	UpdatedBy Principal `json:"updatedBy"`
	TxID      string    `json:"txId"`
	Timestamp time.Time `json:"timestamp"`
}

// GovernanceSpec is the argument of setGovernance.
type GovernanceSpec struct {
	Members []string `json:"members"`
	Rule    string   `json:"rule,omitempty"`
}

var mspIDRE = versionRE // MSP IDs: letters, digits and ._+- are what Fabric deployments use

// newGovernance checks spec and computes the required endorsements.
func newGovernance(spec GovernanceSpec) (Governance, error) {
	if len(spec.Members) == 0 {
		return Governance{}, fmt.Errorf("governance needs at least one member MSP ID")
	}
	members := slices.Clone(spec.Members)
	slices.Sort(members)
	for i, m := range members {
		if !mspIDRE.MatchString(m) {
			return Governance{}, fmt.Errorf("member %q is not an MSP ID", m)
		}
		if i > 0 && members[i-1] == m {
			return Governance{}, fmt.Errorf("member %s is listed twice", m)
		}
	}
	rule := strings.ToUpper(spec.Rule)
	if rule == "" {
		rule = RuleMajority
	}
	g := Governance{Members: members, Rule: rule}
	switch rule {
	case RuleMajority:
		g.Required = len(members)/2 + 1
	case RuleAll:
		g.Required = len(members)
	case RuleAny:
		g.Required = 1
	default:
		n, err := strconv.Atoi(rule)
		if err != nil || n < 1 || n > len(members) {
			return Governance{}, fmt.Errorf("rule %q: want MAJORITY, ALL, ANY or a number from 1 to %d", spec.Rule, len(members))
		}
		g.Required = n
	}
	return g, nil
}

// IsMember reports whether mspID is a member.
func (g Governance) IsMember(mspID string) bool {
	_, ok := slices.BinarySearch(g.Members, mspID)
	return ok
}

// Policy returns the key-level endorsement policy of g: a signature policy requiring peers of Required of the
// Members to endorse, serialized as Fabric's SignaturePolicyEnvelope. The bytes are the same on every peer.
func (g Governance) Policy() ([]byte, error) {
	env := &cb.SignaturePolicyEnvelope{Version: 0}
	rules := make([]*cb.SignaturePolicy, len(g.Members))
	for i, m := range g.Members {
		role, err := proto.Marshal(&mspproto.MSPRole{MspIdentifier: m, Role: mspproto.MSPRole_PEER})
		if err != nil {
			return nil, err
		}
		env.Identities = append(env.Identities, &mspproto.MSPPrincipal{PrincipalClassification: mspproto.MSPPrincipal_ROLE, Principal: role})
		rules[i] = &cb.SignaturePolicy{Type: &cb.SignaturePolicy_SignedBy{SignedBy: int32(i)}}
	}
	env.Rule = &cb.SignaturePolicy{Type: &cb.SignaturePolicy_NOutOf_{NOutOf: &cb.SignaturePolicy_NOutOf{N: int32(g.Required), Rules: rules}}}
	return proto.MarshalOptions{Deterministic: true}.Marshal(env)
}

// DescribePolicy renders a serialized key-level policy as OutOf(N, 'MSP.peer', ...), for humans and tests.
//
// # Errors
//
// b is not a SignaturePolicyEnvelope of the shape Policy produces.
func DescribePolicy(b []byte) (string, error) {
	env := &cb.SignaturePolicyEnvelope{}
	if err := proto.Unmarshal(b, env); err != nil {
		return "", fmt.Errorf("key-level policy: %w", err)
	}
	nof := env.GetRule().GetNOutOf()
	if nof == nil {
		return "", fmt.Errorf("key-level policy: not an N-out-of policy")
	}
	var parts []string
	for _, r := range nof.Rules {
		i := int(r.GetSignedBy())
		if i < 0 || i >= len(env.Identities) {
			return "", fmt.Errorf("key-level policy: signer %d out of range", i)
		}
		role := &mspproto.MSPRole{}
		if err := proto.Unmarshal(env.Identities[i].Principal, role); err != nil {
			return "", fmt.Errorf("key-level policy: principal %d: %w", i, err)
		}
		parts = append(parts, fmt.Sprintf("'%s.%s'", role.MspIdentifier, strings.ToLower(role.Role.String())))
	}
	return fmt.Sprintf("OutOf(%d, %s)", nof.N, strings.Join(parts, ", ")), nil
}
