package network

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/medledger/medledger/operator/internal/network/channel"
)

// TestConsortium_GenesisBlock_MatchesConfigtxgen builds the same channel twice — with this
// package (fabric-config) and with the real configtxgen v3.1.1 reading a configtx.yaml and
// the MSP folders written by pki — and compares the channel configuration that
// `configtxgen -inspectBlock` prints for both: organisations, MSPs, policies, consenters,
// batch settings, capabilities, anchor peers and endpoints.
func TestConsortium_GenesisBlock_MatchesConfigtxgen(t *testing.T) {
	configtxgen := fabricBinary(t, "configtxgen")
	tests := []struct {
		name string
		c    Consortium
	}{
		{
			name: "etcdraft, defaults",
			c: Consortium{
				ChannelID: "carechannel",
				Orderer:   OrdererOrg{Nodes: 3},
				Hospitals: []Hospital{
					{Name: "hospital1", MSPID: "Hospital1MSP", Peers: 2, AnchorPeers: 2},
					{Name: "hospital2", MSPID: "Hospital2MSP", Peers: 1},
				},
			},
		},
		{
			name: "etcdraft, custom policies and batch",
			c: Consortium{
				ChannelID: "trace.v2",
				Domain:    "example.org",
				Orderer:   OrdererOrg{Name: "ordering", MSPID: "OrderingMSP", Nodes: 1},
				Hospitals: []Hospital{
					{Name: "pharma", MSPID: "PharmaMSP", Peers: 1},
					{Name: "clinic", MSPID: "ClinicMSP", Peers: 1},
					{Name: "insurer", MSPID: "InsurerMSP", Peers: 1},
				},
				Policies: Policies{
					Endorsement: Policy{Type: Signature, Rule: "OutOf(2, 'PharmaMSP.peer', 'ClinicMSP.peer', 'InsurerMSP.peer')"},
					Admins:      Policy{Type: ImplicitMeta, Rule: "ALL Admins"},
				},
				Batch:                 Batch{MaxMessageCount: 10, AbsoluteMaxBytes: 4 << 20, PreferredMaxBytes: 512 << 10},
				ApplicationCapability: "V2_5",
			},
		},
		{
			name: "BFT, four orderers",
			c: Consortium{
				ChannelID: "bftchannel",
				Orderer:   OrdererOrg{Nodes: 4, Consensus: BFT},
				Hospitals: []Hospital{{Name: "hospital1", MSPID: "Hospital1MSP", Peers: 1}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cr, err := GenerateCrypto(tt.c, CryptoOptions{AllNodes: SANs{DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}})
			if err != nil {
				t.Fatal(err)
			}
			files, err := cr.Files()
			if err != nil {
				t.Fatal(err)
			}
			cryptoDir := filepath.Join(dir, "crypto")
			if err := files.WriteDir(cryptoDir); err != nil {
				t.Fatal(err)
			}
			orgs, err := tt.c.Orgs()
			if err != nil {
				t.Fatal(err)
			}
			// Orderers on loopback with distinct ports, peers at their own names.
			eps := DefaultEndpoints(orgs)
			for _, n := range orgs[0].Nodes {
				eps[n.Host] = channel.Address{Host: "127.0.0.1", Port: 7050 + n.Index}
			}

			ours, err := tt.c.GenesisBlock(cr, eps)
			if err != nil {
				t.Fatal(err)
			}
			oursPath := filepath.Join(dir, "ours.block")
			if err := os.WriteFile(oursPath, ours, 0o644); err != nil {
				t.Fatal(err)
			}

			yml := configtxYAML(t, tt.c.WithDefaults(), orgs, eps, cryptoDir)
			if err := os.WriteFile(filepath.Join(dir, "configtx.yaml"), yml, 0o644); err != nil {
				t.Fatal(err)
			}
			refPath := filepath.Join(dir, "configtxgen.block")
			run(t, configtxgen, "-configPath", dir, "-profile", "Channel", "-channelID", tt.c.ChannelID, "-outputBlock", refPath)

			got := inspectConfig(t, configtxgen, oursPath)
			want := inspectConfig(t, configtxgen, refPath)
			// Guard against a vacuous comparison: configtxgen's side must hold every member.
			apps, _ := lookup(want, "channel_group", "groups", "Application", "groups").(map[string]any)
			if len(apps) != len(orgs)-1 {
				t.Fatalf("configtxgen's block holds %d application organisations, want %d", len(apps), len(orgs)-1)
			}
			if diffs := diffJSON("config", want, got); len(diffs) > 0 {
				t.Errorf("configuration differs from configtxgen's (want = configtxgen, got = ours):\n%s\nconfigtx.yaml:\n%s",
					strings.Join(diffs, "\n"), yml)
			}
		})
	}
}

// configtxYAML writes the configtx.yaml a Fabric administrator would write for the same
// topology, independently of the code under test: standard member policies, the MSP
// folders written by pki, and the node certificates on disk.
func configtxYAML(t *testing.T, c Consortium, orgs []Org, eps Endpoints, cryptoDir string) []byte {
	t.Helper()
	type m = map[string]any
	sig := func(rule string, ids ...any) m { return m{"Type": "Signature", "Rule": fmt.Sprintf(rule, ids...)} }
	meta := func(rule string) m { return m{"Type": "ImplicitMeta", "Rule": rule} }
	pol := func(p Policy) m { return m{"Type": string(p.Type), "Rule": p.Rule} }

	ord := orgs[0]
	var endpoints []string
	for _, n := range ord.Nodes {
		endpoints = append(endpoints, eps[n.Host].String())
	}
	ordererOrg := m{
		"Name": ord.MSPID, "ID": ord.MSPID, "MSPDir": filepath.Join(cryptoDir, ord.MSPDir()),
		"OrdererEndpoints": endpoints,
		"Policies": m{
			"Readers": sig("OR('%s.member')", ord.MSPID),
			"Writers": sig("OR('%s.member')", ord.MSPID),
			"Admins":  sig("OR('%s.admin')", ord.MSPID),
		},
	}
	var members []any
	for _, o := range orgs[1:] {
		var anchors []any
		for _, n := range o.Nodes {
			if n.Anchor {
				anchors = append(anchors, m{"Host": eps[n.Host].Host, "Port": eps[n.Host].Port})
			}
		}
		id := o.MSPID
		members = append(members, m{
			"Name": id, "ID": id, "MSPDir": filepath.Join(cryptoDir, o.MSPDir()),
			"AnchorPeers": anchors,
			"Policies": m{
				"Readers":     sig("OR('%s.admin', '%s.peer', '%s.client')", id, id, id),
				"Writers":     sig("OR('%s.admin', '%s.client')", id, id),
				"Admins":      sig("OR('%s.admin')", id),
				"Endorsement": sig("OR('%s.peer')", id),
			},
		})
	}

	orderer := m{
		"OrdererType":  string(c.Orderer.Consensus),
		"BatchTimeout": c.Batch.Timeout.String(),
		"BatchSize": m{
			"MaxMessageCount":   c.Batch.MaxMessageCount,
			"AbsoluteMaxBytes":  c.Batch.AbsoluteMaxBytes,
			"PreferredMaxBytes": c.Batch.PreferredMaxBytes,
		},
		"Organizations": []any{ordererOrg},
		"Policies": m{
			"Readers": meta("ANY Readers"), "Writers": meta("ANY Writers"),
			"Admins": meta("MAJORITY Admins"), "BlockValidation": meta("ANY Writers"),
		},
		"Capabilities": m{"V2_0": true},
	}
	var consenters, mapping []any
	for _, n := range ord.Nodes {
		nodeDir := filepath.Join(cryptoDir, ord.NodeDir(n))
		tlsCert := filepath.Join(nodeDir, "tls", "server.crt")
		consenters = append(consenters, m{"Host": eps[n.Host].Host, "Port": eps[n.Host].Port, "ClientTLSCert": tlsCert, "ServerTLSCert": tlsCert})
		mapping = append(mapping, m{
			"ID": n.Index + 1, "Host": eps[n.Host].Host, "Port": eps[n.Host].Port, "MSPID": ord.MSPID,
			"Identity":      filepath.Join(nodeDir, "msp", "signcerts", n.Host+"-cert.pem"),
			"ClientTLSCert": tlsCert, "ServerTLSCert": tlsCert,
		})
	}
	if c.Orderer.Consensus == BFT {
		orderer["ConsenterMapping"] = mapping
	} else {
		r := c.Raft
		orderer["EtcdRaft"] = m{"Consenters": consenters, "Options": m{
			"TickInterval": r.TickInterval.String(), "ElectionTick": r.ElectionTick, "HeartbeatTick": r.HeartbeatTick,
			"MaxInflightBlocks": r.MaxInflightBlocks, "SnapshotIntervalSize": r.SnapshotIntervalSize,
		}}
	}
	doc := m{"Profiles": m{"Channel": m{
		"Policies":     m{"Readers": meta("ANY Readers"), "Writers": meta("ANY Writers"), "Admins": meta("MAJORITY Admins")},
		"Capabilities": m{"V3_0": true},
		"Orderer":      orderer,
		"Application": m{
			"Organizations": members,
			"Policies": m{
				"Readers": meta("ANY Readers"), "Writers": meta("ANY Writers"),
				"Admins": pol(c.Policies.Admins), "Endorsement": pol(c.Policies.Endorsement),
				"LifecycleEndorsement": pol(c.Policies.LifecycleEndorsement),
			},
			"Capabilities": m{c.ApplicationCapability: true},
		},
	}}}
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func run(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "FABRIC_LOGGING_SPEC=warning")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// inspectConfig returns the channel configuration of a block as configtxgen prints it.
func inspectConfig(t *testing.T, configtxgen, block string) any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(run(t, configtxgen, "-inspectBlock", block), &doc); err != nil {
		t.Fatal(err)
	}
	data := doc["data"].(map[string]any)["data"].([]any)[0].(map[string]any)
	return data["payload"].(map[string]any)["data"].(map[string]any)["config"]
}

// lookup follows object keys through a decoded JSON document; it returns nil when a key
// is missing.
func lookup(v any, keys ...string) any {
	for _, k := range keys {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

// diffJSON lists the paths where two decoded JSON documents differ.
func diffJSON(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %T", path, got)}
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var diffs []string
		for _, k := range sorted {
			diffs = append(diffs, diffJSON(path+"."+k, w[k], g[k])...)
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %d elements %s, got %s", path, len(w), short(want), short(got))}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, diffJSON(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return diffs
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s: want %s, got %s", path, short(want), short(got))}
		}
		return nil
	}
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}
