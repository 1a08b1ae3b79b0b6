package channel

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-config/configtx"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	mb "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	ob "github.com/hyperledger/fabric-protos-go-apiv2/orderer"
	"github.com/hyperledger/fabric-protos-go-apiv2/orderer/smartbft"
	"google.golang.org/protobuf/proto"

	"github.com/medledger/medledger/operator/internal/network/pki"
)

type fixture struct {
	spec     Spec
	orderers []*pki.Node
	ordOrg   *pki.Org
	members  []*pki.Org
}

// newFixture builds a real spec: an orderer organisation with n orderers on 127.0.0.1 and
// two hospitals with one anchor peer each.
func newFixture(t *testing.T, consensus Consensus, n int) *fixture {
	t.Helper()
	f := &fixture{}
	var err error
	f.ordOrg, err = pki.NewOrg(pki.OrgConfig{MSPID: "OrdererMSP", Domain: "orderer.medledger.local"})
	if err != nil {
		t.Fatal(err)
	}
	oo := OrdererOrg{MSP: MSP{ID: "OrdererMSP", RootCerts: []*x509.Certificate{f.ordOrg.SignCA.Cert}, TLSRootCerts: []*x509.Certificate{f.ordOrg.TLSCA.Cert}}}
	for i := 0; i < n; i++ {
		node, err := f.ordOrg.NewNode(pki.NodeRequest{Host: fmt.Sprintf("orderer%d.orderer.medledger.local", i), Role: pki.RoleOrderer, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}})
		if err != nil {
			t.Fatal(err)
		}
		f.orderers = append(f.orderers, node)
		addr := Address{Host: "127.0.0.1", Port: 7050 + i}
		oo.Endpoints = append(oo.Endpoints, addr)
		f.spec.Consenters = append(f.spec.Consenters, Consenter{
			Address: addr, ClientTLSCert: node.TLS.Cert, ServerTLSCert: node.TLS.Cert,
			ID: uint32(i + 1), MSPID: "OrdererMSP", Identity: node.Identity.Cert,
		})
	}
	f.spec.OrdererOrgs = []OrdererOrg{oo}
	for i := 1; i <= 2; i++ {
		org, err := pki.NewOrg(pki.OrgConfig{MSPID: fmt.Sprintf("Hospital%dMSP", i), Domain: fmt.Sprintf("hospital%d.medledger.local", i)})
		if err != nil {
			t.Fatal(err)
		}
		f.members = append(f.members, org)
		f.spec.Members = append(f.spec.Members, MemberOrg{
			MSP:         MSP{ID: org.MSPID, RootCerts: []*x509.Certificate{org.SignCA.Cert}, TLSRootCerts: []*x509.Certificate{org.TLSCA.Cert}},
			AnchorPeers: []Address{{Host: fmt.Sprintf("peer0.hospital%d.medledger.local", i), Port: 7051}},
		})
	}
	f.spec.ChannelID = "carechannel"
	f.spec.Consensus = consensus
	return f
}

func readConfig(t *testing.T, block *cb.Block) *configtx.ConfigTx {
	t.Helper()
	cfg, err := ConfigFromBlock(block)
	if err != nil {
		t.Fatal(err)
	}
	c := configtx.New(cfg)
	return &c
}

func TestGenesisBlock(t *testing.T) {
	f := newFixture(t, EtcdRaft, 3)
	block, err := GenesisBlock(f.spec)
	if err != nil {
		t.Fatal(err)
	}
	if block.Header.Number != 0 || len(block.Header.PreviousHash) != 0 {
		t.Errorf("header = %v, want block 0 without previous hash", block.Header)
	}
	if sum := sha256.Sum256(bytes.Join(block.Data.Data, nil)); !bytes.Equal(sum[:], block.Header.DataHash) {
		t.Error("data hash does not match the block data")
	}
	ctx := readConfig(t, block)

	ch, err := ctx.Channel().Configuration()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ch.Capabilities) != "[V3_0]" {
		t.Errorf("channel capabilities = %v", ch.Capabilities)
	}
	if len(ch.Consortiums) != 0 || ch.Consortium != "" {
		t.Error("an application channel must not carry consortiums (no system channel)")
	}
	wantPolicies(t, "channel", mustPolicies(t, ctx.Channel().Policies), map[string]string{
		"Readers": "ANY Readers", "Writers": "ANY Writers", "Admins": "MAJORITY Admins",
	})

	ord, err := ctx.Orderer().Configuration()
	if err != nil {
		t.Fatal(err)
	}
	if ord.OrdererType != "etcdraft" || ord.BatchTimeout != 250*time.Millisecond {
		t.Errorf("orderer type %q, batch timeout %s", ord.OrdererType, ord.BatchTimeout)
	}
	if ord.BatchSize.MaxMessageCount != 500 || ord.BatchSize.AbsoluteMaxBytes != 10<<20 || ord.BatchSize.PreferredMaxBytes != 2<<20 {
		t.Errorf("batch size = %+v", ord.BatchSize)
	}
	if fmt.Sprint(ord.Capabilities) != "[V2_0]" {
		t.Errorf("orderer capabilities = %v", ord.Capabilities)
	}
	if o := ord.EtcdRaft.Options; o.TickInterval != "500ms" || o.ElectionTick != 10 || o.HeartbeatTick != 1 || o.MaxInflightBlocks != 5 || o.SnapshotIntervalSize != 16<<20 {
		t.Errorf("raft options = %+v", o)
	}
	if len(ord.EtcdRaft.Consenters) != 3 {
		t.Fatalf("consenters = %d, want 3", len(ord.EtcdRaft.Consenters))
	}
	for i, c := range ord.EtcdRaft.Consenters {
		if c.Address.Host != "127.0.0.1" || c.Address.Port != 7050+i {
			t.Errorf("consenter %d address = %+v", i, c.Address)
		}
		if !c.ServerTLSCert.Equal(f.orderers[i].TLS.Cert) || !c.ClientTLSCert.Equal(f.orderers[i].TLS.Cert) {
			t.Errorf("consenter %d TLS certificates differ from the node's", i)
		}
	}
	if len(ord.Organizations) != 1 || ord.Organizations[0].Name != "OrdererMSP" {
		t.Fatalf("orderer organisations = %v", ord.Organizations)
	}
	if got := strings.Join(ord.Organizations[0].OrdererEndpoints, ","); got != "127.0.0.1:7050,127.0.0.1:7051,127.0.0.1:7052" {
		t.Errorf("orderer endpoints = %s", got)
	}
	wantPolicies(t, "orderer", mustPolicies(t, ctx.Orderer().Policies), map[string]string{
		"Readers": "ANY Readers", "Writers": "ANY Writers", "Admins": "MAJORITY Admins", "BlockValidation": "ANY Writers",
	})

	app, err := ctx.Application().Configuration()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(app.Capabilities) != "[V2_0]" {
		t.Errorf("application capabilities = %v", app.Capabilities)
	}
	wantPolicies(t, "application", mustPolicies(t, ctx.Application().Policies), map[string]string{
		"Readers": "ANY Readers", "Writers": "ANY Writers", "Admins": "MAJORITY Admins",
		"Endorsement": "MAJORITY Endorsement", "LifecycleEndorsement": "MAJORITY Endorsement",
	})
	if len(app.Organizations) != 2 {
		t.Fatalf("application organisations = %d", len(app.Organizations))
	}
	for i, org := range f.members {
		ao := ctx.Application().Organization(org.MSPID)
		if ao == nil {
			t.Fatalf("organisation %s missing", org.MSPID)
		}
		anchors, err := ao.AnchorPeers()
		if err != nil || len(anchors) != 1 || anchors[0].Host != fmt.Sprintf("peer0.hospital%d.medledger.local", i+1) || anchors[0].Port != 7051 {
			t.Errorf("%s anchor peers = %v, %v", org.MSPID, anchors, err)
		}
		msp, err := ao.MSP().Configuration()
		if err != nil {
			t.Fatal(err)
		}
		if msp.Name != org.MSPID || !msp.RootCerts[0].Equal(org.SignCA.Cert) || !msp.TLSRootCerts[0].Equal(org.TLSCA.Cert) {
			t.Errorf("%s MSP does not hold its CAs", org.MSPID)
		}
		if !msp.NodeOUs.Enable || msp.NodeOUs.PeerOUIdentifier.OrganizationalUnitIdentifier != "peer" || !msp.NodeOUs.AdminOUIdentifier.Certificate.Equal(org.SignCA.Cert) {
			t.Errorf("%s NodeOUs = %+v", org.MSPID, msp.NodeOUs)
		}
		pols, err := ao.Policies()
		if err != nil {
			t.Fatal(err)
		}
		id := org.MSPID
		wantPolicies(t, id, pols, map[string]string{
			// fabric-config's rendering: a one-principal OR reads back as AND.
			"Readers":     fmt.Sprintf("OR('%s.admin', '%s.peer', '%s.client')", id, id, id),
			"Writers":     fmt.Sprintf("OR('%s.admin', '%s.client')", id, id),
			"Admins":      fmt.Sprintf("AND('%s.admin')", id),
			"Endorsement": fmt.Sprintf("AND('%s.peer')", id),
		})
	}
}

func TestGenesisBlock_Options(t *testing.T) {
	f := newFixture(t, EtcdRaft, 1)
	f.spec.Batch = Batch{Timeout: 2 * time.Second, MaxMessageCount: 10, AbsoluteMaxBytes: 1 << 20}
	f.spec.Raft = RaftOptions{TickInterval: 100 * time.Millisecond}
	f.spec.ApplicationCapability = "V2_5"
	f.spec.Policies = ApplicationPolicies{
		Endorsement: Policy{Type: Signature, Rule: "AND('Hospital1MSP.peer', 'Hospital2MSP.peer')"},
		Admins:      Policy{Type: ImplicitMeta, Rule: "ALL Admins"},
	}
	block, err := GenesisBlock(f.spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx := readConfig(t, block)
	ord, _ := ctx.Orderer().Configuration()
	// PreferredMaxBytes defaults to 2 MiB but never above AbsoluteMaxBytes.
	if ord.BatchTimeout != 2*time.Second || ord.BatchSize.MaxMessageCount != 10 || ord.BatchSize.PreferredMaxBytes != 1<<20 {
		t.Errorf("batch = %s %+v", ord.BatchTimeout, ord.BatchSize)
	}
	if ord.EtcdRaft.Options.TickInterval != "100ms" || ord.EtcdRaft.Options.ElectionTick != 10 {
		t.Errorf("raft options = %+v", ord.EtcdRaft.Options)
	}
	app, _ := ctx.Application().Configuration()
	if fmt.Sprint(app.Capabilities) != "[V2_5]" {
		t.Errorf("application capabilities = %v", app.Capabilities)
	}
	wantPolicies(t, "application", mustPolicies(t, ctx.Application().Policies), map[string]string{
		"Endorsement": "AND('Hospital1MSP.peer', 'Hospital2MSP.peer')", "Admins": "ALL Admins", "LifecycleEndorsement": "MAJORITY Endorsement",
	})
}

func TestGenesisBlock_BFT(t *testing.T) {
	f := newFixture(t, BFT, 4)
	block, err := GenesisBlock(f.spec)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(bytes.Join(block.Data.Data, nil)); !bytes.Equal(sum[:], block.Header.DataHash) {
		t.Error("data hash was not recomputed after the BFT rewrite")
	}
	cfg, err := ConfigFromBlock(block)
	if err != nil {
		t.Fatal(err)
	}
	og := cfg.ChannelGroup.Groups["Orderer"]
	ct := &ob.ConsensusType{}
	if err := proto.Unmarshal(og.Values["ConsensusType"].Value, ct); err != nil {
		t.Fatal(err)
	}
	if ct.Type != "BFT" || ct.State != ob.ConsensusType_STATE_NORMAL {
		t.Errorf("consensus type = %q state %v", ct.Type, ct.State)
	}
	opts := &smartbft.Options{}
	if err := proto.Unmarshal(ct.Metadata, opts); err != nil || !proto.Equal(opts, DefaultBFTOptions) {
		t.Errorf("BFT options = %v, %v", opts, err)
	}
	orderers := &cb.Orderers{}
	if err := proto.Unmarshal(og.Values["Orderers"].Value, orderers); err != nil {
		t.Fatal(err)
	}
	if len(orderers.ConsenterMapping) != 4 {
		t.Fatalf("consenter mapping = %d entries", len(orderers.ConsenterMapping))
	}
	for i, c := range orderers.ConsenterMapping {
		if c.Id != uint32(i+1) || c.MspId != "OrdererMSP" || c.Port != uint32(7050+i) ||
			!bytes.Equal(c.Identity, pki.EncodeCert(f.orderers[i].Identity.Cert)) ||
			!bytes.Equal(c.ServerTlsCert, pki.EncodeCert(f.orderers[i].TLS.Cert)) {
			t.Errorf("consenter %d = id %d msp %q port %d", i, c.Id, c.MspId, c.Port)
		}
	}
	bv := og.Policies["BlockValidation"].Policy
	env := &cb.SignaturePolicyEnvelope{}
	if bv.Type != int32(cb.Policy_SIGNATURE) || proto.Unmarshal(bv.Value, env) != nil {
		t.Fatalf("BlockValidation is not a signature policy: %v", bv)
	}
	if n := env.Rule.GetNOutOf(); n == nil || n.N != 3 || len(n.Rules) != 4 || len(env.Identities) != 4 {
		t.Fatalf("BlockValidation rule = %v", env.Rule)
	}
	id := &mb.SerializedIdentity{}
	if err := proto.Unmarshal(env.Identities[2].Principal, id); err != nil || id.Mspid != "OrdererMSP" || !bytes.Equal(id.IdBytes, pki.EncodeCert(f.orderers[2].Identity.Cert)) {
		t.Errorf("principal 2 = %v, %v", id, err)
	}
}

func TestBFTQuorum(t *testing.T) {
	for _, tt := range []struct{ n, want int }{{1, 1}, {3, 2}, {4, 3}, {5, 4}, {7, 5}, {10, 7}} {
		if got := BFTQuorum(tt.n); got != tt.want {
			t.Errorf("BFTQuorum(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

func TestSpec_Validate_Errors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *fixture)
		want   string
	}{
		{"no channel ID", func(f *fixture) { f.spec.ChannelID = "" }, "channel ID is empty"},
		{"upper-case channel", func(f *fixture) { f.spec.ChannelID = "Care" }, "must start with a lower-case letter"},
		{"channel with underscore", func(f *fixture) { f.spec.ChannelID = "care_1" }, `holds '_'`},
		{"unknown consensus", func(f *fixture) { f.spec.Consensus = "kafka" }, `consensus "kafka"`},
		{"no orderer org", func(f *fixture) { f.spec.OrdererOrgs = nil }, "no orderer organisation"},
		{"no members", func(f *fixture) { f.spec.Members = nil }, "no member organisation"},
		{"duplicate MSP", func(f *fixture) { f.spec.Members[1].MSP.ID = "Hospital1MSP" }, `MSP ID "Hospital1MSP" is used by two organisations`},
		{"bad MSP ID", func(f *fixture) { f.spec.Members[0].MSP.ID = "Hospital 1" }, `MSP ID "Hospital 1" holds ' '`},
		{"no TLS root", func(f *fixture) { f.spec.Members[0].MSP.TLSRootCerts = nil }, "needs at least one root CA and one TLS root CA"},
		{"leaf as root", func(f *fixture) { f.spec.Members[0].MSP.RootCerts[0] = f.orderers[0].TLS.Cert }, "is not a CA"},
		{"no endpoints", func(f *fixture) { f.spec.OrdererOrgs[0].Endpoints = nil }, "has no endpoints"},
		{"anchor port", func(f *fixture) { f.spec.Members[0].AnchorPeers[0].Port = 70000 }, "port 70000 is outside 1-65535"},
		{"no consenters", func(f *fixture) { f.spec.Consenters = nil }, "no consenter"},
		{"duplicate consenter", func(f *fixture) { f.spec.Consenters[1].Address = f.spec.Consenters[0].Address }, "address used twice"},
		{"consenter without TLS", func(f *fixture) { f.spec.Consenters[0].ServerTLSCert = nil }, "TLS certificates are required"},
		{"consenter host not in SANs", func(f *fixture) { f.spec.Consenters[0].Address.Host = "10.0.0.9" }, "does not cover the host"},
		{"batch timeout", func(f *fixture) { f.spec.Batch.Timeout = -time.Second }, "batch timeout -1s is not positive"},
		{"batch sizes", func(f *fixture) { f.spec.Batch.PreferredMaxBytes = 11 << 20 }, "exceeds absolute max bytes"},
		{"raft ticks", func(f *fixture) { f.spec.Raft.ElectionTick = 1 }, "election tick 1 must exceed heartbeat tick 1"},
		{"endorsement MSP unknown", func(f *fixture) {
			f.spec.Policies.Endorsement = Policy{Type: Signature, Rule: "OR('Hospital9MSP.peer')"}
		}, `application policy Endorsement: signature rule "OR('Hospital9MSP.peer')": principal "Hospital9MSP.peer" names MSP "Hospital9MSP", which is not in the channel`},
		{"admins bad meta", func(f *fixture) { f.spec.Policies.Admins = Policy{Type: ImplicitMeta, Rule: "MOST Admins"} }, `"MOST" is not ANY, ALL or MAJORITY`},
		{"capability", func(f *fixture) { f.spec.ApplicationCapability = "V3_0" }, `application capability "V3_0" is not one of [V2_0 V2_5]`},
		{"BFT without identity", func(f *fixture) { f.spec.Consensus = BFT; f.spec.Consenters[0].Identity = nil }, "BFT needs the consenter's signing identity"},
		{"BFT duplicate ID", func(f *fixture) { f.spec.Consensus = BFT; f.spec.Consenters[1].ID = 1 }, "consenter ID 1 is zero or used twice"},
		{"BFT foreign MSP", func(f *fixture) { f.spec.Consensus = BFT; f.spec.Consenters[0].MSPID = "Hospital1MSP" }, `MSP ID "Hospital1MSP" is not an orderer organisation`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, EtcdRaft, 3)
			tt.mutate(f)
			err := f.spec.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want it to contain %q", err, tt.want)
			}
			block, err := GenesisBlock(f.spec)
			if err == nil || block != nil {
				t.Fatal("GenesisBlock accepted an invalid spec")
			}
		})
	}
}

func TestCheckPolicy(t *testing.T) {
	known := map[string]bool{"A": true, "B.x-1": true}
	valid := []Policy{
		{ImplicitMeta, "ANY Readers"},
		{ImplicitMeta, "MAJORITY Endorsement"},
		{Signature, "OR('A.member')"},
		{Signature, `AND("A.peer", 'B.x-1.admin')`},
		{Signature, "OutOf(2, 'A.peer', 'B.x-1.peer', OR('A.admin','A.client'))"},
		{Signature, " or( 'A.orderer' ) "},
	}
	for _, p := range valid {
		if err := CheckPolicy(p, known); err != nil {
			t.Errorf("CheckPolicy(%v) = %v", p, err)
		}
	}
}

func TestCheckPolicy_Errors(t *testing.T) {
	known := map[string]bool{"A": true}
	tests := []struct {
		p    Policy
		want string
	}{
		{Policy{"", "ANY Readers"}, "policy type is empty"},
		{Policy{"Custom", "x"}, `policy type "Custom"`},
		{Policy{ImplicitMeta, "ANY"}, "must read"},
		{Policy{ImplicitMeta, "SOME Readers"}, `"SOME" is not ANY`},
		{Policy{Signature, ""}, "expected OR, AND or OutOf at offset 0"},
		{Policy{Signature, "XOR('A.peer')"}, "expected OR, AND or OutOf"},
		{Policy{Signature, "OR 'A.peer'"}, "expected '(' after OR"},
		{Policy{Signature, "OR('A.peer'"}, "expected ',' or ')'"},
		{Policy{Signature, "OR('A.peer')x"}, `unexpected "x"`},
		{Policy{Signature, "OR('A.peer)"}, "unterminated principal"},
		{Policy{Signature, "OR('A')"}, "must read 'MSPID.role'"},
		{Policy{Signature, "OR('A.boss')"}, `role "boss"`},
		{Policy{Signature, "OR('Z.peer')"}, `names MSP "Z"`},
		{Policy{Signature, "OutOf(3, 'A.peer', 'A.admin')"}, "OutOf(3, ...) lists only 2"},
		{Policy{Signature, "OutOf(0, 'A.peer')"}, "positive count"},
		{Policy{Signature, "OutOf('A.peer')"}, "positive count"},
	}
	for _, tt := range tests {
		t.Run(tt.p.Rule, func(t *testing.T) {
			err := CheckPolicy(tt.p, known)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckPolicy(%v) = %v, want it to contain %q", tt.p, err, tt.want)
			}
		})
	}
}

func TestConfigFromBlock_Errors(t *testing.T) {
	tests := []struct {
		name  string
		block *cb.Block
		want  string
	}{
		{"empty", &cb.Block{}, "exactly one envelope"},
		{"garbage", &cb.Block{Data: &cb.BlockData{Data: [][]byte{{0xff, 0xff}}}}, "envelope"},
		{"no config", &cb.Block{Data: &cb.BlockData{Data: [][]byte{{}}}}, "no channel group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ConfigFromBlock(tt.block)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func mustPolicies(t *testing.T, get func() (map[string]configtx.Policy, error)) map[string]configtx.Policy {
	t.Helper()
	p, err := get()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func wantPolicies(t *testing.T, where string, got map[string]configtx.Policy, want map[string]string) {
	t.Helper()
	for name, rule := range want {
		if got[name].Rule != rule {
			t.Errorf("%s policy %s = %q, want %q", where, name, got[name].Rule, rule)
		}
	}
}
