package devnet

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/medledger/medledger/operator/internal/fabricadmin"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// userNameRE bounds the names of identities issued on demand (they become file names and certificate CNs).
var userNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// userSpec is what an issued identity was issued with; a request for the same name with other settings
// issues a new certificate.
type userSpec struct {
	Role  string            `json:"role"`
	Attrs map[string]string `json:"attrs,omitempty"`
}

// User returns an identity of hospital mspID named name with NodeOU role (admin or client) and Fabric CA
// attributes attrs, issued on first use by the hospital's CA, as Fabric CA would enroll it, and kept in the
// work dir (users/<MSP>/<name>) for the next call. Contracts see it as any other member of the hospital.
//
// # Errors
//   - mspID is not a hospital of the devnet, name is not 1-64 characters of [A-Za-z0-9._@-], or role is not
//     admin or client;
//   - the CA's files are missing or do not load.
func (d *Devnet) User(mspID, name, role string, attrs map[string]string) (*fabricadmin.Identity, error) {
	o, ok := d.st.org(mspID)
	if !ok || o.Orderer {
		return nil, fmt.Errorf("devnet: no hospital %q (hospitals: %v)", mspID, d.Hospitals())
	}
	if !userNameRE.MatchString(name) {
		return nil, fmt.Errorf("devnet: user name %q: want 1-64 characters of [A-Za-z0-9._@-]", name)
	}
	if role != string(pki.RoleAdmin) && role != string(pki.RoleClient) {
		return nil, fmt.Errorf("devnet: user %s: role %q is not admin or client", name, role)
	}
	want := userSpec{Role: role, Attrs: attrs}
	dir := filepath.Join(d.st.Dir, "users", mspID, name)
	certFile, keyFile, specFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "spec.json")
	var have userSpec
	if err := readJSON(specFile, &have); err == nil && have.Role == want.Role && maps.Equal(have.Attrs, want.Attrs) {
		cert, cerr := os.ReadFile(certFile)
		key, kerr := os.ReadFile(keyFile)
		if cerr == nil && kerr == nil {
			return fabricadmin.NewIdentity(mspID, cert, key)
		}
	}
	ca, err := d.orgCA(o, false)
	if err != nil {
		return nil, err
	}
	kp, err := ca.IssueIdentity(pki.IdentityRequest{CommonName: name, Role: pki.Role(role), Attrs: attrs, Validity: pki.ValidFor(time.Now(), 365*24*time.Hour)})
	if err != nil {
		return nil, fmt.Errorf("devnet: issue %s of %s: %w", name, mspID, err)
	}
	keyPEM, err := kp.KeyPEM()
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	if err := os.WriteFile(certFile, kp.CertPEM(), 0o644); err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	if err := writeJSON(specFile, want); err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	return fabricadmin.NewIdentity(mspID, kp.CertPEM(), keyPEM)
}

// orgCA loads an org's signing CA (tlsCA false) or TLS CA from the crypto tree, laid out as cryptogen does:
// <org>/ca/ca.<domain>-cert.pem + priv_sk and <org>/tlsca/tlsca.<domain>-cert.pem + priv_sk.
func (d *Devnet) orgCA(o orgState, tlsCA bool) (*pki.CA, error) {
	base := filepath.Dir(filepath.Dir(filepath.Dir(o.TLSCACert))) // <org>/msp/tlscacerts/<file>
	sub := "ca"
	if tlsCA {
		sub = "tlsca"
	}
	cert, err := os.ReadFile(filepath.Join(base, sub, sub+"."+o.Domain+"-cert.pem"))
	if err != nil {
		return nil, fmt.Errorf("devnet: %s CA of %s: %w", sub, o.MSPID, err)
	}
	key, err := os.ReadFile(filepath.Join(base, sub, pki.MSPKeyFile))
	if err != nil {
		return nil, fmt.Errorf("devnet: %s CA of %s: %w", sub, o.MSPID, err)
	}
	ca, err := pki.ParseCA(cert, key)
	if err != nil {
		return nil, fmt.Errorf("devnet: %s CA of %s: %w", sub, o.MSPID, err)
	}
	return ca, nil
}

// ccTLS is a chaincode server's TLS material: files for the server, PEM for the peers' connection.json.
type ccTLS struct {
	ca, clientCert, clientKey             []byte
	serverCertFile, serverKeyFile, caFile string
}

// chaincodeTLS returns the TLS material of a chaincode server of hospital mspID kept in dir, issuing it from
// the hospital's TLS CA the first time (reusing it keeps the package, hence its ID, stable).
func (d *Devnet) chaincodeTLS(mspID, dir string) (ccTLS, error) {
	t := ccTLS{serverCertFile: filepath.Join(dir, "server.crt"), serverKeyFile: filepath.Join(dir, "server.key"), caFile: filepath.Join(dir, "ca.crt")}
	clientCertFile, clientKeyFile := filepath.Join(dir, "peer-client.crt"), filepath.Join(dir, "peer-client.key")
	read := func() error {
		var err error
		if t.ca, err = os.ReadFile(t.caFile); err != nil {
			return err
		}
		if t.clientCert, err = os.ReadFile(clientCertFile); err != nil {
			return err
		}
		if t.clientKey, err = os.ReadFile(clientKeyFile); err != nil {
			return err
		}
		for _, f := range []string{t.serverCertFile, t.serverKeyFile} {
			if _, err := os.Stat(f); err != nil {
				return err
			}
		}
		return nil
	}
	if err := read(); err == nil {
		return t, nil
	}
	o, ok := d.st.org(mspID)
	if !ok {
		return t, fmt.Errorf("devnet: no org %q", mspID)
	}
	ca, err := d.orgCA(o, true)
	if err != nil {
		return t, err
	}
	v := pki.ValidFor(time.Now(), 365*24*time.Hour)
	server, err := ca.IssueTLS(pki.TLSRequest{CommonName: "chaincode." + o.Domain, DNSNames: []string{"localhost"}, IPAddresses: []net.IP{loopback}, Server: true, Validity: v})
	if err != nil {
		return t, fmt.Errorf("devnet: chaincode TLS: %w", err)
	}
	client, err := ca.IssueTLS(pki.TLSRequest{CommonName: "peer-client." + o.Domain, Client: true, Validity: v})
	if err != nil {
		return t, fmt.Errorf("devnet: chaincode TLS: %w", err)
	}
	skey, err := server.KeyPEM()
	if err != nil {
		return t, err
	}
	ckey, err := client.KeyPEM()
	if err != nil {
		return t, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return t, fmt.Errorf("devnet: %w", err)
	}
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{
		{t.caFile, ca.CertPEM(), 0o644}, {t.serverCertFile, server.CertPEM(), 0o644}, {t.serverKeyFile, skey, 0o600},
		{clientCertFile, client.CertPEM(), 0o644}, {clientKeyFile, ckey, 0o600},
	} {
		if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
			return t, fmt.Errorf("devnet: %w", err)
		}
	}
	return t, read()
}

// maxGatewayMessage lets transactions carry multi-megabyte contract modules (grpc-go's default receive limit
// is 4 MiB; Fabric's is 100 MiB).
const maxGatewayMessage = 100 << 20

// dialGateway opens a connection to a peer's Gateway service that admits large messages.
func (d *Devnet) dialGateway(n nodeState) (*grpc.ClientConn, error) {
	o, ok := d.st.org(n.Org)
	if !ok {
		return nil, fmt.Errorf("devnet: node %s has unknown org %q", n.Name, n.Org)
	}
	ca, err := os.ReadFile(o.TLSCACert)
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("devnet: %s holds no PEM certificate", o.TLSCACert)
	}
	cert, err := loadTLS(o.Admin)
	if err != nil {
		return nil, err
	}
	creds := credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: n.Host, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	return grpc.NewClient(n.Address, grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxGatewayMessage), grpc.MaxCallSendMsgSize(maxGatewayMessage)))
}

// GatewayAs returns a Fabric Gateway client on the named peer acting as id (see User and Identity), and the
// connection to close when done. The connection admits messages up to 100 MiB (contract deploys).
//
// # Errors
//   - no such peer, or id is nil.
func (d *Devnet) GatewayAs(peerName string, id *fabricadmin.Identity) (*fabricadmin.Gateway, *grpc.ClientConn, error) {
	if id == nil {
		return nil, nil, errors.New("devnet: GatewayAs needs an identity")
	}
	n, ok := d.st.node(peerName)
	if !ok || n.Kind != KindPeer {
		return nil, nil, fmt.Errorf("devnet: no peer %q (peers: %v)", peerName, d.allPeers())
	}
	conn, err := d.dialGateway(n)
	if err != nil {
		return nil, nil, err
	}
	gw, err := fabricadmin.Connect(conn, id)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return gw, conn, nil
}
