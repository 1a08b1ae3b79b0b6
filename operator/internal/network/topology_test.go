package network

import (
	"strings"
	"testing"

	"github.com/medledger/medledger/operator/internal/network/pki"
)

// consortium builds a valid two-hospital consortium, then applies modifiers.
func consortium(mods ...func(*Consortium)) Consortium {
	c := Consortium{
		ChannelID: "carechannel",
		Orderer:   OrdererOrg{Nodes: 3},
		Hospitals: []Hospital{
			{Name: "hospital1", MSPID: "Hospital1MSP", Peers: 2, Users: []User{{Name: "alice", Attrs: map[string]string{"role": "clinician"}}}},
			{Name: "hospital2", MSPID: "Hospital2MSP", Peers: 1},
		},
	}
	for _, m := range mods {
		m(&c)
	}
	return c
}

func TestConsortium_Validate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Consortium)
	}{
		{"defaults", func(*Consortium) {}},
		{"BFT with four nodes", func(c *Consortium) { c.Orderer.Nodes, c.Orderer.Consensus = 4, BFT }},
		{"single orderer raft", func(c *Consortium) { c.Orderer.Nodes = 1 }},
		{"all peers anchors", func(c *Consortium) { c.Hospitals[0].AnchorPeers = 2 }},
		{"signature endorsement", func(c *Consortium) {
			c.Policies.Endorsement = Policy{Type: Signature, Rule: "AND('Hospital1MSP.peer','Hospital2MSP.peer')"}
		}},
		{"custom names", func(c *Consortium) {
			c.Domain = "health.example.org"
			c.Orderer.Name, c.Orderer.MSPID = "ordering-service", "Ordering.MSP"
		}},
		{"admin user with attributes", func(c *Consortium) {
			c.Hospitals[1].Users = []User{{Name: "it-ops", Role: pki.RoleAdmin}}
		}},
		{"V2_5", func(c *Consortium) { c.ApplicationCapability = "V2_5" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := consortium(tt.mod).Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestConsortium_Validate_Errors(t *testing.T) {
	long := strings.Repeat("a", 60)
	tests := []struct {
		name string
		mod  func(*Consortium)
		want []string
	}{
		{"no channel", func(c *Consortium) { c.ChannelID = "" }, []string{"channelID: channel ID is empty"}},
		{"upper-case channel", func(c *Consortium) { c.ChannelID = "CareChannel" }, []string{"channelID: channel ID \"CareChannel\" must start with a lower-case letter"}},
		{"bad domain", func(c *Consortium) { c.Domain = "med_ledger.local" }, []string{`domain: DNS name "med_ledger.local"`}},
		{"host too long", func(c *Consortium) { c.Domain = strings.Join([]string{long, long, long, long}, ".") }, []string{"is longer than 253 characters"}},
		{"upper-case orderer", func(c *Consortium) { c.Orderer.Name = "Orderer" }, []string{`orderer: name "Orderer" must be lower-case`}},
		{"orderer MSP", func(c *Consortium) { c.Orderer.MSPID = "Orderer MSP" }, []string{`orderer: mspID: MSP ID "Orderer MSP" holds ' '`}},
		{"no orderer nodes", func(c *Consortium) { c.Orderer.Nodes = 0 }, []string{"orderer: nodes must be at least 1, got 0"}},
		{"BFT with three", func(c *Consortium) { c.Orderer.Consensus = BFT }, []string{"orderer: BFT needs at least 4 nodes to tolerate a fault, got 3"}},
		{"kafka", func(c *Consortium) { c.Orderer.Consensus = "kafka" }, []string{`orderer: consensus "kafka" is not "etcdraft" or "BFT"`}},
		{"no hospitals", func(c *Consortium) { c.Hospitals = nil }, []string{"hospitals: at least one hospital is required"}},
		{"duplicate name", func(c *Consortium) { c.Hospitals[1].Name = "hospital1" }, []string{`hospitals[1] "hospital1": name "hospital1" is already used by hospitals[0]`}},
		{"hospital named like orderer", func(c *Consortium) { c.Hospitals[1].Name = "orderer" }, []string{`name "orderer" is already used by the orderer organisation`}},
		{"duplicate MSP", func(c *Consortium) { c.Hospitals[1].MSPID = "Hospital1MSP" }, []string{`hospitals[1] "hospital2": MSP ID "Hospital1MSP" is already used by hospitals[0]`}},
		{"orderer MSP reused", func(c *Consortium) { c.Hospitals[0].MSPID = "OrdererMSP" }, []string{`MSP ID "OrdererMSP" is already used by the orderer organisation`}},
		{"no MSP", func(c *Consortium) { c.Hospitals[0].MSPID = "" }, []string{`hospitals[0] "hospital1": mspID: MSP ID is empty`}},
		{"no peers", func(c *Consortium) { c.Hospitals[1].Peers = 0 }, []string{`hospitals[1] "hospital2": peers must be at least 1, got 0`}},
		{"too many anchors", func(c *Consortium) { c.Hospitals[0].AnchorPeers = 3 }, []string{"anchorPeers must be between 1 and peers (2), got 3"}},
		{"negative anchors", func(c *Consortium) { c.Hospitals[0].AnchorPeers = -1 }, []string{"anchorPeers must be between 1 and peers (2), got -1"}},
		{"reserved user", func(c *Consortium) { c.Hospitals[0].Users[0].Name = "admin" }, []string{`users[0] "admin": "Admin" is reserved`}},
		{"duplicate user", func(c *Consortium) { c.Hospitals[0].Users = append(c.Hospitals[0].Users, User{Name: "Alice"}) }, []string{`users[1] "Alice": declared twice`}},
		{"bad user name", func(c *Consortium) { c.Hospitals[0].Users[0].Name = "dr who" }, []string{`user name "dr who" holds ' '`}},
		{"peer user", func(c *Consortium) { c.Hospitals[0].Users[0].Role = pki.RolePeer }, []string{`role "peer" is not client or admin`}},
		{"empty attribute", func(c *Consortium) { c.Hospitals[0].Users[0].Attrs = map[string]string{"": "x"} }, []string{"attribute name is empty"}},
		{"unknown MSP in policy", func(c *Consortium) {
			c.Policies.LifecycleEndorsement = Policy{Type: Signature, Rule: "OR('Hospital3MSP.admin')"}
		}, []string{`policies.lifecycleEndorsement: signature rule "OR('Hospital3MSP.admin')": principal "Hospital3MSP.admin" names MSP "Hospital3MSP"`}},
		{"bad admins rule", func(c *Consortium) { c.Policies.Admins = Policy{Type: ImplicitMeta, Rule: "MAJORITY"} }, []string{"policies.admins: implicit meta rule"}},
		{"batch", func(c *Consortium) { c.Batch.AbsoluteMaxBytes = 1 << 20; c.Batch.PreferredMaxBytes = 2 << 20 }, []string{"batch: batch preferred max bytes 2097152 exceeds absolute max bytes 1048576"}},
		{"raft", func(c *Consortium) { c.Raft.HeartbeatTick = 10 }, []string{"raft: raft election tick 10 must exceed heartbeat tick 10"}},
		{"capability", func(c *Consortium) { c.ApplicationCapability = "V1_4_2" }, []string{`applicationCapability: "V1_4_2" is not one of [V2_0 V2_5]`}},
		{"several problems at once", func(c *Consortium) { c.ChannelID = ""; c.Hospitals[1].Peers = 0 }, []string{"channelID: channel ID is empty", "peers must be at least 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := consortium(tt.mod)
			err := c.Validate()
			if err == nil {
				t.Fatal("Validate() = nil")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v\nwant it to contain %q", err, w)
				}
			}
			if orgs, err := c.Orgs(); err == nil || orgs != nil {
				t.Error("Orgs accepted an invalid consortium")
			}
			if cr, err := GenerateCrypto(c, CryptoOptions{}); err == nil || cr != nil {
				t.Error("GenerateCrypto accepted an invalid consortium")
			}
		})
	}
}

func TestConsortium_WithDefaults(t *testing.T) {
	c := consortium()
	d := c.WithDefaults()
	if d.Domain != "medledger.local" || d.Orderer.Name != "orderer" || d.Orderer.MSPID != "OrdererMSP" || d.Orderer.Consensus != EtcdRaft {
		t.Errorf("orderer defaults = %+v, domain %q", d.Orderer, d.Domain)
	}
	if d.Batch.Timeout.String() != "250ms" || d.Policies.Endorsement.Rule != "MAJORITY Endorsement" || d.ApplicationCapability != "V2_0" {
		t.Errorf("channel defaults = %+v %+v %q", d.Batch, d.Policies, d.ApplicationCapability)
	}
	if d.Hospitals[0].AnchorPeers != 1 || d.Hospitals[0].Users[0].Role != pki.RoleClient {
		t.Errorf("hospital defaults = %+v", d.Hospitals[0])
	}
	// The input is untouched: defaults go to copies.
	if c.Hospitals[0].AnchorPeers != 0 || c.Hospitals[0].Users[0].Role != "" || c.Domain != "" {
		t.Errorf("WithDefaults changed its receiver: %+v", c.Hospitals[0])
	}
}

func TestConsortium_Orgs(t *testing.T) {
	orgs, err := consortium(func(c *Consortium) { c.Hospitals[0].AnchorPeers = 2 }).Orgs()
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 3 {
		t.Fatalf("orgs = %d, want orderer + 2 hospitals", len(orgs))
	}
	ord, h1, h2 := orgs[0], orgs[1], orgs[2]
	tests := []struct {
		name, got, want string
	}{
		{"orderer domain", ord.Domain, "orderer.medledger.local"},
		{"orderer kind", string(ord.Kind), "orderer"},
		{"orderer 2 host", ord.Nodes[2].Host, "orderer2.orderer.medledger.local"},
		{"orderer role", string(ord.Nodes[0].Role), "orderer"},
		{"orderer dir", ord.Dir(), "ordererOrganizations/orderer.medledger.local"},
		{"orderer node dir", ord.NodeDir(ord.Nodes[1]), "ordererOrganizations/orderer.medledger.local/orderers/orderer1.orderer.medledger.local"},
		{"hospital domain", h1.Domain, "hospital1.medledger.local"},
		{"peer 1 host", h1.Nodes[1].Host, "peer1.hospital1.medledger.local"},
		{"peer MSP", h1.Nodes[1].MSPID, "Hospital1MSP"},
		{"peer name", h1.Nodes[1].Name, "peer1"},
		{"hospital MSP dir", h1.MSPDir(), "peerOrganizations/hospital1.medledger.local/msp"},
		{"peer dir", h2.NodeDir(h2.Nodes[0]), "peerOrganizations/hospital2.medledger.local/peers/peer0.hospital2.medledger.local"},
		{"admin first", h1.Admin().Name, "Admin"},
		{"declared user", h1.Users[1].Name, "alice"},
		{"user dir", h1.UserDir("alice"), "peerOrganizations/hospital1.medledger.local/users/alice@hospital1.medledger.local"},
		{"user ID", UserID("alice", h1.Domain), "alice@hospital1.medledger.local"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if !h1.Nodes[0].Anchor || !h1.Nodes[1].Anchor || !h2.Nodes[0].Anchor {
		t.Error("anchor peers not marked")
	}
	if len(ord.Users) != 1 || ord.Users[0].Role != pki.RoleAdmin {
		t.Errorf("orderer users = %+v", ord.Users)
	}
}

func TestHospital_Org(t *testing.T) {
	org, err := Hospital{Name: "stmarys", MSPID: "StMarysMSP", Peers: 3, AnchorPeers: 2}.Org("")
	if err != nil {
		t.Fatal(err)
	}
	if org.Domain != "stmarys.medledger.local" || len(org.Nodes) != 3 || !org.Nodes[1].Anchor || org.Nodes[2].Anchor {
		t.Errorf("org = %+v", org)
	}
	_, err = Hospital{Name: "St Marys", MSPID: "StMarysMSP", Peers: 0}.Org("")
	if err == nil || !strings.Contains(err.Error(), `label "St Marys" holds ' '`) || !strings.Contains(err.Error(), "peers must be at least 1") {
		t.Fatalf("err = %v", err)
	}
}
