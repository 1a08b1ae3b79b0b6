package nodeconfig

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"strconv"
)

// Orderer is an orderer's runtime addressing: identity, listeners, paths and TLS. Cluster
// (raft/BFT) traffic shares the main listener and TLS certificate.
type Orderer struct {
	// ID names the orderer in errors, e.g. "orderer0.orderer.medledger.local".
	ID string
	// MSPID and MSPDir are the local MSP.
	MSPID  string
	MSPDir string
	// ListenAddress is where the orderer serves gRPC (Broadcast, Deliver, cluster), e.g.
	// "0.0.0.0:7050".
	ListenAddress string
	// TLS is the node's TLS; RootCAFile is also trusted for cluster traffic.
	TLS TLS
	// AdminListenAddress serves the channel participation API over mutual TLS, e.g.
	// "127.0.0.1:7053"; AdminClientRootCAFiles are the TLS CAs admin clients' certificates
	// come from (usually the orderer organisation's TLS CA, whose Admin user has a client
	// certificate).
	AdminListenAddress     string
	AdminClientRootCAFiles []string
	// OperationsListenAddress serves /healthz and /metrics over HTTP, e.g. "127.0.0.1:8443".
	OperationsListenAddress string
	// LedgerDir holds the block store (FileLedger.Location).
	LedgerDir string
	// WALDir and SnapDir hold consensus state (default LedgerDir/etcdraft/{wal,snapshot}).
	WALDir  string
	SnapDir string
	// LogSpec is FABRIC_LOGGING_SPEC (default "info"), environment form only.
	LogSpec string
}

// Validate checks the orderer's settings.
//
// # Errors
//   - ID, MSPID or a required address is empty or malformed ("host:port", port 1-65535);
//   - a path is empty or relative;
//   - no admin client CA (the admin API requires mutual TLS);
//   - a list element holds white space, a comma or a bracket.
func (o Orderer) Validate() error {
	if o.ID == "" {
		return errors.New("nodeconfig: orderer ID is empty")
	}
	if o.MSPID == "" {
		return fmt.Errorf("nodeconfig: orderer %s: MSPID is empty", o.ID)
	}
	errs := []error{
		checkPath("MSPDir", o.MSPDir),
		checkHostPort("ListenAddress", o.ListenAddress, true),
		checkHostPort("AdminListenAddress", o.AdminListenAddress, true),
		checkHostPort("OperationsListenAddress", o.OperationsListenAddress, true),
		checkPath("LedgerDir", o.LedgerDir),
		o.TLS.check(),
	}
	if len(o.AdminClientRootCAFiles) == 0 {
		errs = append(errs, errors.New("AdminClientRootCAFiles is empty: the admin API requires mutual TLS"))
	}
	for i, p := range o.AdminClientRootCAFiles {
		errs = append(errs, checkPath(fmt.Sprintf("AdminClientRootCAFiles[%d]", i), p))
	}
	for _, d := range []struct{ name, path string }{{"WALDir", o.WALDir}, {"SnapDir", o.SnapDir}} {
		if d.path != "" {
			errs = append(errs, checkPath(d.name, d.path))
		}
	}
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("nodeconfig: orderer %s: %w", o.ID, err)
		}
	}
	if _, err := renderEnv("ORDERER", o.settings(), bracketList); err != nil {
		return err
	}
	return nil
}

func (o Orderer) settings() []setting {
	host, port, _ := net.SplitHostPort(o.ListenAddress)
	if host == "" {
		host = "0.0.0.0"
	}
	portNum, _ := strconv.Atoi(port)
	wal, snap := o.WALDir, o.SnapDir
	if wal == "" {
		wal = filepath.Join(o.LedgerDir, "etcdraft", "wal")
	}
	if snap == "" {
		snap = filepath.Join(o.LedgerDir, "etcdraft", "snapshot")
	}
	clientRoots := o.TLS.ClientRootCAFiles
	if clientRoots == nil {
		clientRoots = []string{}
	}
	return []setting{
		{"General.ListenAddress", host},
		{"General.ListenPort", portNum},
		{"General.TLS.Enabled", true},
		{"General.TLS.Certificate", o.TLS.CertFile},
		{"General.TLS.PrivateKey", o.TLS.KeyFile},
		{"General.TLS.RootCAs", []string{o.TLS.RootCAFile}},
		{"General.TLS.ClientAuthRequired", o.TLS.ClientAuthRequired},
		{"General.TLS.ClientRootCAs", clientRoots},
		{"General.BootstrapMethod", "none"},
		{"General.LocalMSPDir", o.MSPDir},
		{"General.LocalMSPID", o.MSPID},
		{"FileLedger.Location", o.LedgerDir},
		{"Operations.ListenAddress", o.OperationsListenAddress},
		{"Admin.ListenAddress", o.AdminListenAddress},
		{"Admin.TLS.Enabled", true},
		{"Admin.TLS.Certificate", o.TLS.CertFile},
		{"Admin.TLS.PrivateKey", o.TLS.KeyFile},
		{"Admin.TLS.ClientAuthRequired", true},
		{"Admin.TLS.ClientRootCAs", o.AdminClientRootCAFiles},
		{"ChannelParticipation.Enabled", true},
		{"Consensus.WALDir", wal},
		{"Consensus.SnapDir", snap},
	}
}

// OrdererYAML renders the orderer's complete orderer.yaml: Fabric's defaults with o's
// settings. Put it in a folder and point FABRIC_CFG_PATH at that folder.
//
// # Errors
//   - o does not pass [Orderer.Validate].
func (o Orderer) OrdererYAML() ([]byte, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return renderYAML(baseOrderer, o.settings())
}

// Env renders o's settings as ORDERER_* environment variables (sorted "NAME=value"), plus
// FABRIC_LOGGING_SPEC. The caller sets FABRIC_CFG_PATH to a folder with an orderer.yaml.
//
// # Errors
//   - o does not pass [Orderer.Validate].
func (o Orderer) Env() ([]string, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	env, err := renderEnv("ORDERER", o.settings(), bracketList)
	if err != nil {
		return nil, err
	}
	return appendLogSpec(env, o.LogSpec), nil
}

func sortStrings(s []string) { sort.Strings(s) }
