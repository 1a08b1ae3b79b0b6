package nodeconfig

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// TLS names a node's TLS files. All paths must be absolute.
type TLS struct {
	// CertFile and KeyFile are the node's TLS certificate and key (server and client use).
	CertFile string
	KeyFile  string
	// RootCAFile is the node's own TLS CA.
	RootCAFile string
	// ClientAuthRequired makes the node demand client certificates (mutual TLS).
	ClientAuthRequired bool
	// ClientRootCAFiles are the TLS CAs client certificates may come from (with mutual TLS).
	ClientRootCAFiles []string
}

func (t TLS) check() error {
	for _, f := range []struct{ name, path string }{{"TLS.CertFile", t.CertFile}, {"TLS.KeyFile", t.KeyFile}, {"TLS.RootCAFile", t.RootCAFile}} {
		if err := checkPath(f.name, f.path); err != nil {
			return err
		}
	}
	for i, p := range t.ClientRootCAFiles {
		if err := checkPath(fmt.Sprintf("TLS.ClientRootCAFiles[%d]", i), p); err != nil {
			return err
		}
	}
	if t.ClientAuthRequired && len(t.ClientRootCAFiles) == 0 {
		return errors.New("TLS.ClientAuthRequired needs TLS.ClientRootCAFiles")
	}
	return nil
}

// ExternalBuilder is a chaincode external builder: a folder with bin/detect, bin/build and
// bin/release.
type ExternalBuilder struct {
	Name string `json:"name" yaml:"name"`
	// Path is the builder's folder (absolute).
	Path string `json:"path" yaml:"path"`
	// PropagateEnvironment names environment variables the peer passes to the builder.
	PropagateEnvironment []string `json:"propagateEnvironment,omitempty" yaml:"propagateEnvironment,omitempty"`
}

var builderName = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// Peer is a peer's runtime addressing: identity, listeners, endpoints, paths and TLS.
type Peer struct {
	// ID is the peer's name, e.g. "peer0.hospital1.medledger.local" (peer.id).
	ID string
	// NetworkID isolates chaincode names between networks on one host (default
	// "medledger").
	NetworkID string
	// MSPID and MSPDir are the local MSP (peer.localMspId, peer.mspConfigPath).
	MSPID  string
	MSPDir string
	// ListenAddress is where the peer serves gRPC, e.g. "0.0.0.0:7051".
	ListenAddress string
	// Address is the endpoint the peer announces to its organisation and clients, e.g.
	// "peer0.hospital1.medledger.local:7051" (peer.address).
	Address string
	// ChaincodeListenAddress is where the peer accepts chaincode connections, e.g.
	// "0.0.0.0:7052"; ChaincodeAddress, if set, is the endpoint chaincode dials.
	ChaincodeListenAddress string
	ChaincodeAddress       string
	// GossipBootstrap are peers of the same organisation to gossip with at start.
	GossipBootstrap []string
	// GossipExternalEndpoint is the endpoint other organisations gossip with; without it
	// the peer is invisible outside its organisation (discovery needs it).
	GossipExternalEndpoint string
	// OperationsListenAddress serves /healthz, /metrics (Prometheus) and /logspec over HTTP,
	// e.g. "127.0.0.1:9443"; each peer on a host needs its own.
	OperationsListenAddress string
	// FileSystemPath holds the ledger (peer.fileSystemPath).
	FileSystemPath string
	// SnapshotsDir holds ledger snapshots (default FileSystemPath/snapshots).
	SnapshotsDir string
	TLS          TLS
	// ExternalBuilders run chaincode; at least one is required since there is no Docker.
	ExternalBuilders []ExternalBuilder
	// LogSpec is FABRIC_LOGGING_SPEC (default "info"); it has no core.yaml key, so it is
	// only in the environment form.
	LogSpec string
}

// Validate checks the peer's settings.
//
// # Errors
//   - ID, MSPID or a required address is empty or malformed ("host:port", port 1-65535);
//   - a path is empty or relative;
//   - no external builder, or one with an invalid name or a relative path;
//   - a list element (bootstrap peers, CA files, propagated variables) holds white space or
//     a comma, which the environment form cannot carry.
func (p Peer) Validate() error {
	if p.ID == "" {
		return errors.New("nodeconfig: peer ID is empty")
	}
	if p.MSPID == "" {
		return fmt.Errorf("nodeconfig: peer %s: MSPID is empty", p.ID)
	}
	errs := []error{
		checkPath("MSPDir", p.MSPDir),
		checkHostPort("ListenAddress", p.ListenAddress, true),
		checkHostPort("Address", p.Address, false),
		checkHostPort("ChaincodeListenAddress", p.ChaincodeListenAddress, true),
		checkHostPort("OperationsListenAddress", p.OperationsListenAddress, true),
		checkPath("FileSystemPath", p.FileSystemPath),
		p.TLS.check(),
	}
	if p.ChaincodeAddress != "" {
		errs = append(errs, checkHostPort("ChaincodeAddress", p.ChaincodeAddress, false))
	}
	if p.GossipExternalEndpoint != "" {
		errs = append(errs, checkHostPort("GossipExternalEndpoint", p.GossipExternalEndpoint, false))
	}
	for i, b := range p.GossipBootstrap {
		errs = append(errs, checkHostPort(fmt.Sprintf("GossipBootstrap[%d]", i), b, false))
	}
	if p.SnapshotsDir != "" {
		errs = append(errs, checkPath("SnapshotsDir", p.SnapshotsDir))
	}
	if len(p.ExternalBuilders) == 0 {
		errs = append(errs, errors.New("no external builder: without Docker the peer needs one to run chaincode"))
	}
	for i, b := range p.ExternalBuilders {
		if !builderName.MatchString(b.Name) {
			errs = append(errs, fmt.Errorf("ExternalBuilders[%d]: name %q must match %s", i, b.Name, builderName))
		}
		errs = append(errs, checkPath(fmt.Sprintf("ExternalBuilders[%d].Path", i), b.Path))
		for _, e := range b.PropagateEnvironment {
			if e == "" || strings.ContainsAny(e, " \t,=") {
				errs = append(errs, fmt.Errorf("ExternalBuilders[%d]: %q is not a variable name", i, e))
			}
		}
	}
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("nodeconfig: peer %s: %w", p.ID, err)
		}
	}
	if _, err := renderEnv("CORE", p.settings(), spaceList); err != nil {
		return err
	}
	return nil
}

func (p Peer) settings() []setting {
	networkID := p.NetworkID
	if networkID == "" {
		networkID = "medledger"
	}
	snapshots := p.SnapshotsDir
	if snapshots == "" {
		snapshots = filepath.Join(p.FileSystemPath, "snapshots")
	}
	clientRoots := p.TLS.ClientRootCAFiles
	if clientRoots == nil {
		clientRoots = []string{}
	}
	bootstrap := p.GossipBootstrap
	if bootstrap == nil {
		bootstrap = []string{}
	}
	return []setting{
		{"peer.id", p.ID},
		{"peer.networkId", networkID},
		{"peer.localMspId", p.MSPID},
		{"peer.mspConfigPath", p.MSPDir},
		{"peer.listenAddress", p.ListenAddress},
		{"peer.address", p.Address},
		{"peer.chaincodeListenAddress", p.ChaincodeListenAddress},
		{"peer.chaincodeAddress", p.ChaincodeAddress},
		{"peer.gossip.bootstrap", bootstrap},
		{"peer.gossip.externalEndpoint", p.GossipExternalEndpoint},
		{"peer.fileSystemPath", p.FileSystemPath},
		{"peer.tls.enabled", true},
		{"peer.tls.cert.file", p.TLS.CertFile},
		{"peer.tls.key.file", p.TLS.KeyFile},
		{"peer.tls.rootcert.file", p.TLS.RootCAFile},
		{"peer.tls.clientAuthRequired", p.TLS.ClientAuthRequired},
		{"peer.tls.clientRootCAs.files", clientRoots},
		{"vm.endpoint", ""},
		{"chaincode.externalBuilders", p.ExternalBuilders},
		{"ledger.snapshots.rootDir", snapshots},
		{"operations.listenAddress", p.OperationsListenAddress},
	}
}

// CoreYAML renders the peer's complete core.yaml: Fabric's defaults with p's settings.
// Put it in a folder and point FABRIC_CFG_PATH at that folder.
//
// # Errors
//   - p does not pass [Peer.Validate].
func (p Peer) CoreYAML() ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return renderYAML(baseCore, p.settings())
}

// Env renders p's settings as CORE_* environment variables (sorted "NAME=value"), plus
// FABRIC_LOGGING_SPEC. They override the keys of whatever core.yaml FABRIC_CFG_PATH
// points at; the caller sets FABRIC_CFG_PATH.
//
// # Errors
//   - p does not pass [Peer.Validate].
func (p Peer) Env() ([]string, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	env, err := renderEnv("CORE", p.settings(), spaceList)
	if err != nil {
		return nil, err
	}
	return appendLogSpec(env, p.LogSpec), nil
}

func appendLogSpec(env []string, spec string) []string {
	if spec == "" {
		spec = "info"
	}
	env = append(env, "FABRIC_LOGGING_SPEC="+spec)
	sortStrings(env)
	return env
}
