package channel

import (
	"crypto/x509"
	"fmt"

	"github.com/hyperledger/fabric-config/configtx"
	"github.com/hyperledger/fabric-config/configtx/membership"
	"github.com/hyperledger/fabric-config/configtx/orderer"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
)

// GenesisBlock builds the channel's genesis (config) block. The block header and
// configuration are deterministic for a given Spec except for the transaction nonce, which
// fabric-config draws at random, as configtxgen does.
//
// # Errors
//   - s does not pass [Spec.Validate];
//   - fabric-config rejects the configuration (e.g. a signature rule it cannot compile).
func GenesisBlock(s Spec) (*cb.Block, error) {
	s = s.WithDefaults()
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("channel %q: %w", s.ChannelID, err)
	}
	ch, err := s.configtxChannel()
	if err != nil {
		return nil, fmt.Errorf("channel %q: %w", s.ChannelID, err)
	}
	block, err := configtx.NewApplicationChannelGenesisBlock(ch, s.ChannelID)
	if err != nil {
		return nil, fmt.Errorf("channel %q: fabric-config: %w", s.ChannelID, err)
	}
	err = rewriteBlockConfig(block, func(cfg *cb.Config) error {
		if err := s.applyAnchorPeers(cfg); err != nil {
			return err
		}
		if s.Consensus == BFT {
			return s.applyBFT(cfg)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("channel %q: %w", s.ChannelID, err)
	}
	return block, nil
}

// applyAnchorPeers writes each member's AnchorPeers value as configtxgen does.
// fabric-config v0.3.0 builds application organisations with its generic organisation
// group and so drops configtx.Organization.AnchorPeers from a genesis block.
func (s Spec) applyAnchorPeers(cfg *cb.Config) error {
	app := cfg.GetChannelGroup().GetGroups()[configtx.ApplicationGroupKey]
	for _, m := range s.Members {
		if len(m.AnchorPeers) == 0 {
			continue
		}
		org := app.GetGroups()[m.MSP.ID]
		if org == nil {
			return fmt.Errorf("application organisation %q missing from the configuration", m.MSP.ID)
		}
		anchors := &pb.AnchorPeers{}
		for _, a := range m.AnchorPeers {
			anchors.AnchorPeers = append(anchors.AnchorPeers, &pb.AnchorPeer{Host: a.Host, Port: int32(a.Port)})
		}
		value, err := deterministic.Marshal(anchors)
		if err != nil {
			return err
		}
		org.Values[configtx.AnchorPeersKey] = &cb.ConfigValue{ModPolicy: configtx.AdminsPolicyKey, Value: value}
	}
	return nil
}

// GenesisBlockBytes returns the marshalled [GenesisBlock], the form osnadmin and the channel
// participation API take.
//
// # Errors
//   - as [GenesisBlock].
func GenesisBlockBytes(s Spec) ([]byte, error) {
	block, err := GenesisBlock(s)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(block)
}

func (s Spec) configtxChannel() (configtx.Channel, error) {
	ord := configtx.Orderer{
		// fabric-config only writes etcdraft; BFT replaces the consensus value afterwards.
		OrdererType:  orderer.ConsensusTypeEtcdRaft,
		BatchTimeout: s.Batch.Timeout,
		BatchSize: orderer.BatchSize{
			MaxMessageCount:   s.Batch.MaxMessageCount,
			AbsoluteMaxBytes:  s.Batch.AbsoluteMaxBytes,
			PreferredMaxBytes: s.Batch.PreferredMaxBytes,
		},
		EtcdRaft: orderer.EtcdRaft{Options: orderer.EtcdRaftOptions{
			TickInterval:         s.Raft.TickInterval.String(),
			ElectionTick:         s.Raft.ElectionTick,
			HeartbeatTick:        s.Raft.HeartbeatTick,
			MaxInflightBlocks:    s.Raft.MaxInflightBlocks,
			SnapshotIntervalSize: s.Raft.SnapshotIntervalSize,
		}},
		Capabilities: []string{OrdererCapability},
		Policies: map[string]configtx.Policy{
			configtx.ReadersPolicyKey:         implicit("ANY Readers"),
			configtx.WritersPolicyKey:         implicit("ANY Writers"),
			configtx.AdminsPolicyKey:          implicit("MAJORITY Admins"),
			configtx.BlockValidationPolicyKey: implicit("ANY Writers"),
		},
		State: orderer.ConsensusStateNormal,
	}
	for _, c := range s.Consenters {
		ord.EtcdRaft.Consenters = append(ord.EtcdRaft.Consenters, orderer.Consenter{
			Address:       orderer.EtcdAddress{Host: c.Address.Host, Port: c.Address.Port},
			ClientTLSCert: c.ClientTLSCert,
			ServerTLSCert: c.ServerTLSCert,
		})
	}
	for _, o := range s.OrdererOrgs {
		org := configtx.Organization{
			Name: o.MSP.ID,
			MSP:  fabricMSP(o.MSP),
			Policies: map[string]configtx.Policy{
				configtx.ReadersPolicyKey: signature("OR('%s.member')", o.MSP.ID),
				configtx.WritersPolicyKey: signature("OR('%s.member')", o.MSP.ID),
				configtx.AdminsPolicyKey:  signature("OR('%s.admin')", o.MSP.ID),
			},
		}
		for _, e := range o.Endpoints {
			org.OrdererEndpoints = append(org.OrdererEndpoints, e.String())
		}
		ord.Organizations = append(ord.Organizations, org)
	}

	app := configtx.Application{
		Capabilities: []string{s.ApplicationCapability},
		Policies: map[string]configtx.Policy{
			configtx.ReadersPolicyKey:              implicit("ANY Readers"),
			configtx.WritersPolicyKey:              implicit("ANY Writers"),
			configtx.AdminsPolicyKey:               policy(s.Policies.Admins),
			configtx.EndorsementPolicyKey:          policy(s.Policies.Endorsement),
			configtx.LifecycleEndorsementPolicyKey: policy(s.Policies.LifecycleEndorsement),
		},
	}
	for _, m := range s.Members {
		id := m.MSP.ID
		org := configtx.Organization{
			Name: id,
			MSP:  fabricMSP(m.MSP),
			// The usual member policies: peers endorse, admins and clients write.
			Policies: map[string]configtx.Policy{
				configtx.ReadersPolicyKey:     signature("OR('%s.admin','%s.peer','%s.client')", id, id, id),
				configtx.WritersPolicyKey:     signature("OR('%s.admin','%s.client')", id, id),
				configtx.AdminsPolicyKey:      signature("OR('%s.admin')", id),
				configtx.EndorsementPolicyKey: signature("OR('%s.peer')", id),
			},
		}
		// AnchorPeers are written by applyAnchorPeers (fabric-config drops them here).
		app.Organizations = append(app.Organizations, org)
	}

	return configtx.Channel{
		Orderer:      ord,
		Application:  app,
		Capabilities: []string{ChannelCapability},
		Policies: map[string]configtx.Policy{
			configtx.ReadersPolicyKey: implicit("ANY Readers"),
			configtx.WritersPolicyKey: implicit("ANY Writers"),
			configtx.AdminsPolicyKey:  implicit("MAJORITY Admins"),
		},
	}, nil
}

func fabricMSP(m MSP) configtx.MSP {
	ou := func(name string) membership.OUIdentifier {
		return membership.OUIdentifier{Certificate: m.RootCerts[0], OrganizationalUnitIdentifier: name}
	}
	return configtx.MSP{
		Name:         m.ID,
		RootCerts:    m.RootCerts,
		TLSRootCerts: m.TLSRootCerts,
		Admins:       m.Admins,
		// The hash settings Fabric's own MSP loader writes.
		CryptoConfig: membership.CryptoConfig{SignatureHashFamily: "SHA2", IdentityIdentifierHashFunction: "SHA256"},
		NodeOUs: membership.NodeOUs{
			Enable:              true,
			ClientOUIdentifier:  ou("client"),
			PeerOUIdentifier:    ou("peer"),
			AdminOUIdentifier:   ou("admin"),
			OrdererOUIdentifier: ou("orderer"),
		},
		// fabric-config encodes nil lists as empty ones; keep them explicit for clarity.
		IntermediateCerts:    []*x509.Certificate{},
		TLSIntermediateCerts: []*x509.Certificate{},
	}
}

func implicit(rule string) configtx.Policy {
	return configtx.Policy{Type: configtx.ImplicitMetaPolicyType, Rule: rule}
}

func signature(format string, args ...any) configtx.Policy {
	return configtx.Policy{Type: configtx.SignaturePolicyType, Rule: fmt.Sprintf(format, args...)}
}

func policy(p Policy) configtx.Policy {
	if p.Type == Signature {
		return configtx.Policy{Type: configtx.SignaturePolicyType, Rule: p.Rule}
	}
	return implicit(p.Rule)
}
