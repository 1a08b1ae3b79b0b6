package channel

import (
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-config/configtx"
	"github.com/hyperledger/fabric-config/configtx/orderer"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	mb "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	ob "github.com/hyperledger/fabric-protos-go-apiv2/orderer"
	"github.com/hyperledger/fabric-protos-go-apiv2/orderer/smartbft"
	"google.golang.org/protobuf/proto"

	"github.com/medledger/medledger/operator/internal/network/pki"
)

// OrderersKey is the orderer group value that lists BFT consenters.
const OrderersKey = "Orderers"

// DefaultBFTOptions are SmartBFT's defaults as configtxgen writes them when a profile sets
// none.
var DefaultBFTOptions = &smartbft.Options{
	RequestBatchMaxCount:      100,
	RequestBatchMaxBytes:      10 << 20,
	RequestBatchMaxInterval:   "50ms",
	IncomingMessageBufferSize: 200,
	RequestPoolSize:           400,
	RequestForwardTimeout:     "2s",
	RequestComplainTimeout:    "20s",
	RequestAutoRemoveTimeout:  "3m0s",
	ViewChangeResendInterval:  "5s",
	ViewChangeTimeout:         "20s",
	LeaderHeartbeatTimeout:    "1m0s",
	LeaderHeartbeatCount:      10,
	CollectTimeout:            "1s",
}

var deterministic = proto.MarshalOptions{Deterministic: true}

// applyBFT turns the etcdraft orderer group fabric-config wrote into a SmartBFT one, as
// configtxgen does: consensus type "BFT" with SmartBFT options, the consenter mapping in the
// "Orderers" value, and a BlockValidation policy requiring a BFT quorum of consenter
// signatures.
func (s Spec) applyBFT(cfg *cb.Config) error {
	og := cfg.GetChannelGroup().GetGroups()[configtx.OrdererGroupKey]
	if og == nil {
		return errors.New("configuration has no orderer group")
	}
	var mapping []*cb.Consenter
	for _, c := range s.Consenters {
		mapping = append(mapping, &cb.Consenter{
			Id:            c.ID,
			Host:          c.Address.Host,
			Port:          uint32(c.Address.Port),
			MspId:         c.MSPID,
			Identity:      pki.EncodeCert(c.Identity),
			ClientTlsCert: pki.EncodeCert(c.ClientTLSCert),
			ServerTlsCert: pki.EncodeCert(c.ServerTLSCert),
		})
	}
	orderers, err := deterministic.Marshal(&cb.Orderers{ConsenterMapping: mapping})
	if err != nil {
		return err
	}
	og.Values[OrderersKey] = &cb.ConfigValue{ModPolicy: configtx.AdminsPolicyKey, Value: orderers}

	ctv := og.Values[orderer.ConsensusTypeKey]
	if ctv == nil {
		return errors.New("orderer group has no consensus type")
	}
	ct := &ob.ConsensusType{}
	if err := proto.Unmarshal(ctv.Value, ct); err != nil {
		return fmt.Errorf("consensus type: %w", err)
	}
	ct.Type = string(BFT)
	if ct.Metadata, err = deterministic.Marshal(DefaultBFTOptions); err != nil {
		return err
	}
	if ctv.Value, err = deterministic.Marshal(ct); err != nil {
		return err
	}

	policy, err := bftBlockValidationPolicy(mapping)
	if err != nil {
		return err
	}
	bv := og.Policies[configtx.BlockValidationPolicyKey]
	if bv == nil {
		return errors.New("orderer group has no BlockValidation policy")
	}
	bv.Policy = &cb.Policy{Type: int32(cb.Policy_SIGNATURE), Value: policy}
	return nil
}

// BFTQuorum returns the number of consenter signatures a BFT block needs out of n
// consenters: ceil((n+f+1)/2) with f = (n-1)/3 tolerated faults.
func BFTQuorum(n int) int {
	f := (n - 1) / 3
	return (n + f + 1 + 1) / 2
}

func bftBlockValidationPolicy(consenters []*cb.Consenter) ([]byte, error) {
	env := &cb.SignaturePolicyEnvelope{}
	var rules []*cb.SignaturePolicy
	for i, c := range consenters {
		id, err := deterministic.Marshal(&mb.SerializedIdentity{Mspid: c.MspId, IdBytes: c.Identity})
		if err != nil {
			return nil, err
		}
		env.Identities = append(env.Identities, &mb.MSPPrincipal{
			PrincipalClassification: mb.MSPPrincipal_IDENTITY,
			Principal:               id,
		})
		rules = append(rules, &cb.SignaturePolicy{Type: &cb.SignaturePolicy_SignedBy{SignedBy: int32(i)}})
	}
	env.Rule = &cb.SignaturePolicy{Type: &cb.SignaturePolicy_NOutOf_{NOutOf: &cb.SignaturePolicy_NOutOf{
		N: int32(BFTQuorum(len(consenters))), Rules: rules,
	}}}
	return deterministic.Marshal(env)
}
