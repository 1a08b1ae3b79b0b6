package nodeconfig

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func testPeer() Peer {
	return Peer{
		ID:                      "peer0.hospital1.medledger.local",
		MSPID:                   "Hospital1MSP",
		MSPDir:                  "/crypto/peer0/msp",
		ListenAddress:           "0.0.0.0:7051",
		Address:                 "peer0.hospital1.medledger.local:7051",
		ChaincodeListenAddress:  "0.0.0.0:7052",
		GossipBootstrap:         []string{"peer1.hospital1.medledger.local:7051"},
		GossipExternalEndpoint:  "peer0.hospital1.medledger.local:7051",
		OperationsListenAddress: "0.0.0.0:9443",
		FileSystemPath:          "/var/hyperledger/production",
		TLS:                     TLS{CertFile: "/crypto/tls/server.crt", KeyFile: "/crypto/tls/server.key", RootCAFile: "/crypto/tls/ca.crt"},
		ExternalBuilders:        []ExternalBuilder{{Name: "medledger-ccaas", Path: "/opt/builders/ccaas", PropagateEnvironment: []string{"HOME", "CORE_PEER_ID"}}},
	}
}

func testOrderer() Orderer {
	return Orderer{
		ID:                      "orderer0.orderer.medledger.local",
		MSPID:                   "OrdererMSP",
		MSPDir:                  "/crypto/orderer0/msp",
		ListenAddress:           "0.0.0.0:7050",
		TLS:                     TLS{CertFile: "/crypto/tls/server.crt", KeyFile: "/crypto/tls/server.key", RootCAFile: "/crypto/tls/ca.crt"},
		AdminListenAddress:      "0.0.0.0:7053",
		AdminClientRootCAFiles:  []string{"/crypto/tlsca.pem"},
		OperationsListenAddress: "0.0.0.0:8443",
		LedgerDir:               "/var/hyperledger/production/orderer",
	}
}

// get reads a dotted path from a decoded YAML document.
func get(t *testing.T, doc map[string]any, path string) any {
	t.Helper()
	var v any = doc
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: %q is not under a mapping", path, k)
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("%s: key %q missing", path, k)
		}
	}
	return v
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("rendered YAML does not parse: %v\n%s", err, b)
	}
	return doc
}

func TestPeer_CoreYAML(t *testing.T) {
	out, err := testPeer().CoreYAML()
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, out)
	want := map[string]any{
		"peer.id":                      "peer0.hospital1.medledger.local",
		"peer.networkId":               "medledger",
		"peer.localMspId":              "Hospital1MSP",
		"peer.mspConfigPath":           "/crypto/peer0/msp",
		"peer.listenAddress":           "0.0.0.0:7051",
		"peer.address":                 "peer0.hospital1.medledger.local:7051",
		"peer.chaincodeListenAddress":  "0.0.0.0:7052",
		"peer.chaincodeAddress":        "",
		"peer.gossip.externalEndpoint": "peer0.hospital1.medledger.local:7051",
		"peer.fileSystemPath":          "/var/hyperledger/production",
		"peer.tls.enabled":             true,
		"peer.tls.cert.file":           "/crypto/tls/server.crt",
		"peer.tls.key.file":            "/crypto/tls/server.key",
		"peer.tls.rootcert.file":       "/crypto/tls/ca.crt",
		"peer.tls.clientAuthRequired":  false,
		"vm.endpoint":                  "",
		"ledger.snapshots.rootDir":     "/var/hyperledger/production/snapshots",
		"operations.listenAddress":     "0.0.0.0:9443",
		// Untouched defaults survive.
		"peer.gateway.enabled":        true,
		"ledger.state.stateDatabase":  "goleveldb",
		"metrics.provider":            "prometheus",
		"peer.BCCSP.Default":          "SW",
		"chaincode.system._lifecycle": "enable",
	}
	for path, v := range want {
		if got := get(t, doc, path); got != v {
			t.Errorf("%s = %#v, want %#v", path, got, v)
		}
	}
	if got := get(t, doc, "peer.gossip.bootstrap").([]any); len(got) != 1 || got[0] != "peer1.hospital1.medledger.local:7051" {
		t.Errorf("gossip bootstrap = %v", got)
	}
	builders := get(t, doc, "chaincode.externalBuilders").([]any)
	b := builders[0].(map[string]any)
	if len(builders) != 1 || b["name"] != "medledger-ccaas" || b["path"] != "/opt/builders/ccaas" || len(b["propagateEnvironment"].([]any)) != 2 {
		t.Errorf("external builders = %v", builders)
	}
	// The base document's comments are kept, so a human can read the file.
	if !strings.Contains(string(out), "# Empty: no Docker.") {
		t.Error("comments of the base document were dropped")
	}
}

func TestPeer_Env(t *testing.T) {
	p := testPeer()
	p.LogSpec = "info:gossip=warning"
	p.TLS.ClientAuthRequired = true
	p.TLS.ClientRootCAFiles = []string{"/a/ca.pem", "/b/ca.pem"}
	env, err := p.Env()
	if err != nil {
		t.Fatal(err)
	}
	m := EnvMap(env)
	want := map[string]string{
		"CORE_PEER_ID":                      "peer0.hospital1.medledger.local",
		"CORE_PEER_LOCALMSPID":              "Hospital1MSP",
		"CORE_PEER_MSPCONFIGPATH":           "/crypto/peer0/msp",
		"CORE_PEER_LISTENADDRESS":           "0.0.0.0:7051",
		"CORE_PEER_ADDRESS":                 "peer0.hospital1.medledger.local:7051",
		"CORE_PEER_CHAINCODELISTENADDRESS":  "0.0.0.0:7052",
		"CORE_PEER_GOSSIP_BOOTSTRAP":        "peer1.hospital1.medledger.local:7051",
		"CORE_PEER_GOSSIP_EXTERNALENDPOINT": "peer0.hospital1.medledger.local:7051",
		"CORE_PEER_FILESYSTEMPATH":          "/var/hyperledger/production",
		"CORE_PEER_TLS_ENABLED":             "true",
		"CORE_PEER_TLS_CLIENTAUTHREQUIRED":  "true",
		"CORE_PEER_TLS_CLIENTROOTCAS_FILES": "/a/ca.pem /b/ca.pem",
		"CORE_VM_ENDPOINT":                  "",
		"CORE_CHAINCODE_EXTERNALBUILDERS":   `[{"name":"medledger-ccaas","path":"/opt/builders/ccaas","propagateEnvironment":["HOME","CORE_PEER_ID"]}]`,
		"CORE_LEDGER_SNAPSHOTS_ROOTDIR":     "/var/hyperledger/production/snapshots",
		"CORE_OPERATIONS_LISTENADDRESS":     "0.0.0.0:9443",
		"FABRIC_LOGGING_SPEC":               "info:gossip=warning",
	}
	for k, v := range want {
		got, ok := m[k]
		if !ok || got != v {
			t.Errorf("%s = %q (set %v), want %q", k, got, ok, v)
		}
	}
	for i := 1; i < len(env); i++ {
		if env[i-1] > env[i] {
			t.Fatalf("environment is not sorted: %q before %q", env[i-1], env[i])
		}
	}
}

// TestPeer_Env_KeysExistInYAML checks every variable overrides a key present in the
// rendered core.yaml: Fabric applies environment overrides only to keys the file has.
func TestPeer_Env_KeysExistInYAML(t *testing.T) {
	checkEnvKeys(t, "CORE", mustRender(t, testPeer().CoreYAML), mustEnv(t, testPeer().Env))
	checkEnvKeys(t, "ORDERER", mustRender(t, testOrderer().OrdererYAML), mustEnv(t, testOrderer().Env))
}

func mustRender(t *testing.T, f func() ([]byte, error)) []byte {
	b, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustEnv(t *testing.T, f func() ([]string, error)) []string {
	e, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func checkEnvKeys(t *testing.T, prefix string, yml []byte, env []string) {
	t.Helper()
	keys := map[string]bool{}
	var walk func(string, any)
	walk = func(p string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, c := range m {
				walk(p+"_"+strings.ToUpper(k), c)
			}
			return
		}
		keys[p] = true
	}
	walk(prefix, decode(t, yml))
	for name := range EnvMap(env) {
		if name != "FABRIC_LOGGING_SPEC" && !keys[name] {
			t.Errorf("%s has no key in the rendered YAML", name)
		}
	}
}

func TestPeer_Validate_Errors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Peer)
		want   string
	}{
		{"no ID", func(p *Peer) { p.ID = "" }, "peer ID is empty"},
		{"no MSPID", func(p *Peer) { p.MSPID = "" }, "MSPID is empty"},
		{"relative MSP dir", func(p *Peer) { p.MSPDir = "msp" }, `MSPDir "msp" must be absolute`},
		{"listen without port", func(p *Peer) { p.ListenAddress = "0.0.0.0" }, `ListenAddress "0.0.0.0"`},
		{"address without host", func(p *Peer) { p.Address = ":7051" }, `Address ":7051" has no host`},
		{"port out of range", func(p *Peer) { p.ChaincodeListenAddress = "0.0.0.0:70000" }, "port must be 1-65535"},
		{"no operations", func(p *Peer) { p.OperationsListenAddress = "" }, "OperationsListenAddress"},
		{"bad gossip endpoint", func(p *Peer) { p.GossipExternalEndpoint = "peer0" }, "GossipExternalEndpoint"},
		{"bad bootstrap", func(p *Peer) { p.GossipBootstrap = []string{"x"} }, "GossipBootstrap[0]"},
		{"relative snapshots", func(p *Peer) { p.SnapshotsDir = "snap" }, "SnapshotsDir"},
		{"no TLS cert", func(p *Peer) { p.TLS.CertFile = "" }, "TLS.CertFile is empty"},
		{"client auth without CAs", func(p *Peer) { p.TLS.ClientAuthRequired = true }, "needs TLS.ClientRootCAFiles"},
		{"no builder", func(p *Peer) { p.ExternalBuilders = nil }, "no external builder"},
		{"builder name", func(p *Peer) { p.ExternalBuilders[0].Name = "cc aas" }, `name "cc aas" must match`},
		{"builder path", func(p *Peer) { p.ExternalBuilders[0].Path = "builders" }, "ExternalBuilders[0].Path"},
		{"builder env", func(p *Peer) { p.ExternalBuilders[0].PropagateEnvironment = []string{"A=B"} }, `"A=B" is not a variable name`},
		{"CA path with space", func(p *Peer) {
			p.TLS.ClientAuthRequired = true
			p.TLS.ClientRootCAFiles = []string{"/my certs/ca.pem"}
		}, "holds a space, comma or bracket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPeer()
			tt.mutate(&p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want it to contain %q", err, tt.want)
			}
			if _, err := p.CoreYAML(); err == nil {
				t.Error("CoreYAML accepted an invalid peer")
			}
			if _, err := p.Env(); err == nil {
				t.Error("Env accepted an invalid peer")
			}
		})
	}
}

func TestOrderer_OrdererYAML(t *testing.T) {
	out, err := testOrderer().OrdererYAML()
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, out)
	want := map[string]any{
		"General.ListenAddress":                   "0.0.0.0",
		"General.ListenPort":                      7050,
		"General.TLS.Enabled":                     true,
		"General.TLS.Certificate":                 "/crypto/tls/server.crt",
		"General.TLS.PrivateKey":                  "/crypto/tls/server.key",
		"General.BootstrapMethod":                 "none",
		"General.LocalMSPDir":                     "/crypto/orderer0/msp",
		"General.LocalMSPID":                      "OrdererMSP",
		"FileLedger.Location":                     "/var/hyperledger/production/orderer",
		"Operations.ListenAddress":                "0.0.0.0:8443",
		"Admin.ListenAddress":                     "0.0.0.0:7053",
		"Admin.TLS.Enabled":                       true,
		"Admin.TLS.ClientAuthRequired":            true,
		"ChannelParticipation.Enabled":            true,
		"Consensus.WALDir":                        "/var/hyperledger/production/orderer/etcdraft/wal",
		"Consensus.SnapDir":                       "/var/hyperledger/production/orderer/etcdraft/snapshot",
		"General.Cluster.SendBufferSize":          100,
		"ChannelParticipation.MaxRequestBodySize": "1 MB",
	}
	for path, v := range want {
		if got := get(t, doc, path); got != v {
			t.Errorf("%s = %#v, want %#v", path, got, v)
		}
	}
	if got := get(t, doc, "General.TLS.RootCAs").([]any); len(got) != 1 || got[0] != "/crypto/tls/ca.crt" {
		t.Errorf("RootCAs = %v", got)
	}
	if got := get(t, doc, "Admin.TLS.ClientRootCAs").([]any); len(got) != 1 || got[0] != "/crypto/tlsca.pem" {
		t.Errorf("admin client roots = %v", got)
	}
}

func TestOrderer_Env(t *testing.T) {
	o := testOrderer()
	o.ListenAddress = ":7050"
	o.WALDir, o.SnapDir = "/wal", "/snap"
	o.AdminClientRootCAFiles = []string{"/a.pem", "/b.pem"}
	m := EnvMap(mustEnv(t, o.Env))
	want := map[string]string{
		"ORDERER_GENERAL_LISTENADDRESS":        "0.0.0.0",
		"ORDERER_GENERAL_LISTENPORT":           "7050",
		"ORDERER_GENERAL_TLS_ROOTCAS":          "[/crypto/tls/ca.crt]",
		"ORDERER_GENERAL_BOOTSTRAPMETHOD":      "none",
		"ORDERER_ADMIN_TLS_CLIENTROOTCAS":      "[/a.pem, /b.pem]",
		"ORDERER_CHANNELPARTICIPATION_ENABLED": "true",
		"ORDERER_CONSENSUS_WALDIR":             "/wal",
		"ORDERER_CONSENSUS_SNAPDIR":            "/snap",
		"FABRIC_LOGGING_SPEC":                  "info",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}
}

func TestOrderer_Validate_Errors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Orderer)
		want   string
	}{
		{"no ID", func(o *Orderer) { o.ID = "" }, "orderer ID is empty"},
		{"no MSPID", func(o *Orderer) { o.MSPID = "" }, "MSPID is empty"},
		{"bad listen", func(o *Orderer) { o.ListenAddress = "7050" }, "ListenAddress"},
		{"no admin CAs", func(o *Orderer) { o.AdminClientRootCAFiles = nil }, "admin API requires mutual TLS"},
		{"relative ledger", func(o *Orderer) { o.LedgerDir = "data" }, `LedgerDir "data" must be absolute`},
		{"relative WAL", func(o *Orderer) { o.WALDir = "wal" }, "WALDir"},
		{"admin CA with comma", func(o *Orderer) { o.AdminClientRootCAFiles = []string{"/a,b.pem"} }, "holds a space, comma or bracket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOrderer()
			tt.mutate(&o)
			err := o.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want it to contain %q", err, tt.want)
			}
			if _, err := o.OrdererYAML(); err == nil {
				t.Error("OrdererYAML accepted an invalid orderer")
			}
		})
	}
}

func TestRenderYAML_AddsMissingKeys(t *testing.T) {
	out, err := renderYAML([]byte("a:\n  b: 1\n"), []setting{{"a.c.d", "x"}, {"e", true}})
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, out)
	if get(t, doc, "a.b") != 1 || get(t, doc, "a.c.d") != "x" || get(t, doc, "e") != true {
		t.Fatalf("rendered:\n%s", out)
	}
	if _, err := renderYAML([]byte("a: 1\n"), []setting{{"a.b", "x"}}); err == nil || !strings.Contains(err.Error(), `"a" is not a mapping in the base document, cannot set "b"`) {
		t.Fatalf("setting below a scalar: %v", err)
	}
}
