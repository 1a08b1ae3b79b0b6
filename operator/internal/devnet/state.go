package devnet

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FormatVersion is written to the work dir's VERSION file. Bump it whenever the layout or state.json changes
// incompatibly: an older work dir is then refused with a clear message instead of half-working.
const FormatVersion = "medledger-devnet/1"

const (
	versionFile = "VERSION"
	stateFile   = "state.json"
)

// state is everything `up`, `down`, `status` and `logs` need to find and drive a devnet again, persisted in the
// work dir as state.json. Paths are absolute: the work dir is not relocatable (checked through Dir).
type state struct {
	Dir        string           `json:"dir"`
	Channel    string           `json:"channel"`
	Topology   Topology         `json:"topology"`
	Genesis    string           `json:"genesisBlock"`
	Builder    string           `json:"builderDir"`
	Orgs       []orgState       `json:"orgs"`
	Nodes      []nodeState      `json:"nodes"`
	Ports      []portUse        `json:"ports"`
	Chaincodes []chaincodeState `json:"chaincodes,omitempty"`
}

// orgState holds where an org's public material and users' credentials are on disk.
type orgState struct {
	MSPID     string `json:"mspID"`
	Domain    string `json:"domain"`
	Orderer   bool   `json:"ordererOrg,omitempty"`
	TLSCACert string `json:"tlsCACert"`
	Admin     cred   `json:"admin"`
	User      *cred  `json:"user,omitempty"`
}

// cred is a user's signing identity and TLS client pair (file paths).
type cred struct {
	Name    string `json:"name"`
	Cert    string `json:"cert"`
	Key     string `json:"key"`
	TLSCert string `json:"tlsCert"`
	TLSKey  string `json:"tlsKey"`
}

// Kind of a supervised process.
const (
	KindOrderer   = "orderer"
	KindPeer      = "peer"
	KindChaincode = "chaincode"
)

// nodeState is one process to supervise and how to reach it.
type nodeState struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	Org  string `json:"org"` // MSP ID ("" for chaincode servers)
	Dir  string `json:"dir"`
	// Address is the gRPC endpoint (peer/orderer) or the chaincode server's listen address.
	Address string `json:"address"`
	// Host is the TLS server name for Address.
	Host         string   `json:"host,omitempty"`
	Operations   string   `json:"operations,omitempty"`   // host:port of /healthz
	AdminAddress string   `json:"adminAddress,omitempty"` // orderer channel participation API
	Exe          string   `json:"exe"`
	Args         []string `json:"args,omitempty"`
	// Env is the node's own settings, on top of baseEnv(); never the user's whole environment.
	Env []string `json:"env"`
}

func (n nodeState) logFile() string { return filepath.Join(n.Dir, "node.log") }
func (n nodeState) pidFile() string { return filepath.Join(n.Dir, "pid") }

// chaincodeState records a deployed chaincode, so `up` can restart its server with the same package ID.
type chaincodeState struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Sequence  int64  `json:"sequence"`
	PackageID string `json:"packageID"`
	Address   string `json:"address"`
	Policy    string `json:"policy,omitempty"`
	// Node is the supervised server's node name; empty when the caller runs the server itself.
	Node string `json:"node,omitempty"`
	// Servers are all of the chaincode's servers (one per hospital with ChaincodeSpec.PerHospital).
	Servers []ChaincodeServer `json:"servers,omitempty"`
}

// checkStamp reports whether dir holds a devnet of this format. A dir without a VERSION file is "no devnet".
func checkStamp(dir string) (exists bool, err error) {
	raw, err := os.ReadFile(filepath.Join(dir, versionFile))
	if errors.Is(err, os.ErrNotExist) {
		if _, serr := os.Stat(filepath.Join(dir, stateFile)); serr == nil {
			return true, fmt.Errorf("devnet: %s has a state.json but no VERSION stamp: it was made by another version of medledger; run `medledger devnet down --purge --dir %s` and `up` again", dir, dir)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("devnet: %w", err)
	}
	if got := strings.TrimSpace(string(raw)); got != FormatVersion {
		return true, fmt.Errorf("devnet: %s was made by devnet format %q, this medledger uses %q: run `medledger devnet down --purge --dir %s` and `up` again", dir, got, FormatVersion, dir)
	}
	return true, nil
}

func loadState(dir string) (*state, error) {
	exists, err := checkStamp(dir)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, fmt.Errorf("devnet: no devnet in %s (run `medledger devnet up` first)", dir)
	}
	st := &state{}
	if err := readJSON(filepath.Join(dir, stateFile), st); err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	abs, _ := filepath.Abs(dir)
	if st.Dir != abs {
		return nil, fmt.Errorf("devnet: %s was created at %s and is not relocatable: move it back, or `down --purge` and `up` again", abs, st.Dir)
	}
	return st, nil
}

func (st *state) save() error {
	if err := writeJSON(filepath.Join(st.Dir, stateFile), st); err != nil {
		return fmt.Errorf("devnet: save state: %w", err)
	}
	return os.WriteFile(filepath.Join(st.Dir, versionFile), []byte(FormatVersion+"\n"), 0o644)
}

func (st *state) node(name string) (nodeState, bool) {
	for _, n := range st.Nodes {
		if n.Name == name {
			return n, true
		}
	}
	return nodeState{}, false
}

func (st *state) org(mspID string) (orgState, bool) {
	for _, o := range st.Orgs {
		if o.MSPID == mspID {
			return o, true
		}
	}
	return orgState{}, false
}

// findNode resolves a user-typed node name: exact, or a unique prefix such as "peer0.hospital1".
func (st *state) findNode(name string) (nodeState, error) {
	if n, ok := st.node(name); ok {
		return n, nil
	}
	var matches []nodeState
	for _, n := range st.Nodes {
		if strings.HasPrefix(n.Name, name+".") || strings.HasPrefix(n.Name, name) {
			matches = append(matches, n)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return nodeState{}, fmt.Errorf("devnet: no node %q (nodes: %s)", name, strings.Join(st.nodeNames(), ", "))
	default:
		names := make([]string, len(matches))
		for i, m := range matches {
			names[i] = m.Name
		}
		return nodeState{}, fmt.Errorf("devnet: %q matches several nodes: %s", name, strings.Join(names, ", "))
	}
}

func (st *state) nodeNames() []string {
	out := make([]string, len(st.Nodes))
	for i, n := range st.Nodes {
		out[i] = n.Name
	}
	return out
}

// fabricBin is the folder of the Fabric binaries the nodes run.
func (st *state) fabricBin() string {
	for _, n := range st.Nodes {
		if n.Kind == KindPeer || n.Kind == KindOrderer {
			return filepath.Dir(n.Exe)
		}
	}
	return ""
}

// setFabricBin points the Fabric nodes at the binaries in bin (e.g. after a rebuild into another folder).
func (st *state) setFabricBin(bin string) {
	for i, n := range st.Nodes {
		if n.Kind == KindPeer || n.Kind == KindOrderer {
			st.Nodes[i].Exe = filepath.Join(bin, filepath.Base(n.Exe))
		}
	}
}
