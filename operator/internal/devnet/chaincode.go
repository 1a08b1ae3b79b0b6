package devnet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/medledger/medledger/operator/internal/devnet/ccaas"
	"github.com/medledger/medledger/operator/internal/fabricadmin"
)

// Environment variables a supervised chaincode server gets, following Fabric's ccaas conventions.
const (
	EnvChaincodeAddress = "CHAINCODE_SERVER_ADDRESS"
	EnvChaincodeID      = "CHAINCODE_ID"
)

// ChaincodeSpec describes a chaincode-as-a-service to deploy on the devnet's channel.
type ChaincodeSpec struct {
	// Name is the chaincode name on the channel (also the package label).
	Name string
	// Version is the definition's version; empty means "1".
	Version string
	// Policy is a signature policy expression; empty means the channel default, MAJORITY Endorsement (with
	// two hospitals: both must endorse).
	Policy string
	// Command, when set, starts the chaincode server as a supervised process of the devnet, with
	// CHAINCODE_SERVER_ADDRESS and CHAINCODE_ID in its environment; `down` stops it and `up` restarts it.
	// When empty, the caller serves the chaincode at Address itself.
	Command []string
	// Env is added to the server's environment.
	Env []string
	// Address is where the server listens (host:port). Empty with a Command means a free loopback port.
	Address string
}

// Chaincode is a deployed chaincode.
type Chaincode struct {
	Name      string
	PackageID string
	Address   string
	Sequence  int64
}

// DeployChaincode packages spec as ccaas, starts its server when spec.Command is set, installs the package on
// every peer, approves the definition for every hospital and commits it. Deploying the same spec again changes
// nothing; a spec with a new package (e.g. another address) is committed as the next sequence.
//
// # Errors
//   - spec has no name, or neither a Command nor an Address, or a name Fabric refuses as a package label;
//   - the server cannot start or does not listen;
//   - install, approve or commit fails (the peer's reason is included).
func (d *Devnet) DeployChaincode(ctx context.Context, spec ChaincodeSpec) (Chaincode, error) {
	if spec.Name == "" {
		return Chaincode{}, errors.New("devnet: chaincode spec has no name")
	}
	if len(spec.Command) == 0 && spec.Address == "" {
		return Chaincode{}, fmt.Errorf("devnet: chaincode %s needs a Command to run or the Address where you serve it", spec.Name)
	}
	version := orDefault(spec.Version, "1")
	prev := d.chaincode(spec.Name)
	addr := spec.Address
	if addr == "" && prev != nil && prev.Node != "" {
		addr = prev.Address // keep the port, hence the package ID, across deploys
	}
	var newPort *portUse
	if addr == "" {
		ports, err := allocatePorts(1, 0)
		if err != nil {
			return Chaincode{}, err
		}
		addr = "127.0.0.1:" + strconv.Itoa(ports[0])
		newPort = &portUse{Node: "chaincode." + spec.Name, Purpose: "chaincode server", Port: ports[0]}
	}
	pkg, err := ccaas.Package(spec.Name+"_"+version, ccaas.Connection{Address: addr, DialTimeout: "10s"})
	if err != nil {
		return Chaincode{}, fmt.Errorf("devnet: chaincode %s: %w", spec.Name, err)
	}
	pkgID, err := ccaas.PackageID(pkg)
	if err != nil {
		return Chaincode{}, err
	}
	rec := chaincodeState{Name: spec.Name, Version: version, Sequence: 1, PackageID: pkgID, Address: addr, Policy: spec.Policy}
	if prev != nil {
		rec.Sequence = prev.Sequence
		if prev.PackageID != pkgID || prev.Version != version || prev.Policy != spec.Policy {
			rec.Sequence++
		}
	}
	p := d.progress
	if len(spec.Command) > 0 {
		exe, err := stageExe(d.st.Dir, spec.Command[0])
		if err != nil {
			return Chaincode{}, err
		}
		spec.Command = append([]string{exe}, spec.Command[1:]...)
		rec.Node = "chaincode." + spec.Name
		node := nodeState{
			Name: rec.Node, Kind: KindChaincode, Dir: filepath.Join(d.st.Dir, "chaincode", spec.Name), Address: addr,
			Exe: spec.Command[0], Args: spec.Command[1:],
			Env: append(slices.Clone(spec.Env), EnvChaincodeAddress+"="+addr, EnvChaincodeID+"="+pkgID),
		}
		if err := os.MkdirAll(node.Dir, 0o755); err != nil {
			return Chaincode{}, fmt.Errorf("devnet: %w", err)
		}
		// A server of another package must give way to the new one; the same one may keep running.
		if old, ok := d.st.node(node.Name); ok && !sameProcess(old, node) {
			if err := stop(old.pidFile(), 10*time.Second); err != nil {
				return Chaincode{}, err
			}
		}
		d.st.Nodes = append(slices.DeleteFunc(d.st.Nodes, func(n nodeState) bool { return n.Name == node.Name }), node)
		if newPort != nil {
			d.st.Ports = append(d.st.Ports, *newPort)
		}
		if err := d.st.save(); err != nil {
			return Chaincode{}, err
		}
		if err := p.step("starting chaincode server "+spec.Name+" on "+addr, func() error {
			return d.startNodes(ctx, []nodeState{node})
		}); err != nil {
			return Chaincode{}, err
		}
	}
	def := fabricadmin.Definition{Channel: d.st.Channel, Name: spec.Name, Version: version, Sequence: rec.Sequence, PackageID: pkgID, SignaturePolicy: spec.Policy}
	if err := p.step(fmt.Sprintf("installing %s on %d peer(s)", pkgID, len(d.allPeers())), func() error {
		return d.eachNode(KindPeer, func(n nodeState) error {
			peer, conn, err := d.AdminPeer(n.Name)
			if err != nil {
				return err
			}
			defer conn.Close()
			if _, err := peer.Install(ctx, pkg); err != nil {
				return fmt.Errorf("devnet: %s: %w", n.Name, err)
			}
			return nil
		})
	}); err != nil {
		return Chaincode{}, err
	}
	if err := p.step(fmt.Sprintf("approving %s seq %d for %d hospital(s)", spec.Name, rec.Sequence, len(d.Hospitals())), func() error {
		return d.eachHospital(func(msp string) error {
			peer, conn, err := d.AdminPeer(d.Peers(msp)[0])
			if err != nil {
				return err
			}
			defer conn.Close()
			return peer.Approve(ctx, def)
		})
	}); err != nil {
		return Chaincode{}, err
	}
	if err := p.step("committing "+spec.Name, func() error {
		peer, conn, err := d.AdminPeer(d.Peers(d.Hospitals()[0])[0])
		if err != nil {
			return err
		}
		defer conn.Close()
		return peer.Commit(ctx, def)
	}); err != nil {
		return Chaincode{}, err
	}
	d.st.Chaincodes = append(slices.DeleteFunc(d.st.Chaincodes, func(c chaincodeState) bool { return c.Name == spec.Name }), rec)
	if err := d.st.save(); err != nil {
		return Chaincode{}, err
	}
	return Chaincode{Name: spec.Name, PackageID: pkgID, Address: addr, Sequence: rec.Sequence}, nil
}

// Chaincodes lists the chaincodes deployed through DeployChaincode.
func (d *Devnet) Chaincodes() []Chaincode {
	out := make([]Chaincode, 0, len(d.st.Chaincodes))
	for _, c := range d.st.Chaincodes {
		out = append(out, Chaincode{Name: c.Name, PackageID: c.PackageID, Address: c.Address, Sequence: c.Sequence})
	}
	return out
}

func (d *Devnet) chaincode(name string) *chaincodeState {
	for i := range d.st.Chaincodes {
		if d.st.Chaincodes[i].Name == name {
			return &d.st.Chaincodes[i]
		}
	}
	return nil
}

// restartChaincodes starts the supervised chaincode servers that are not running, with their recorded package
// IDs, so committed chaincodes keep answering after a restart.
func (d *Devnet) restartChaincodes(ctx context.Context) error {
	var nodes []nodeState
	for _, n := range d.st.Nodes {
		if n.Kind == KindChaincode {
			nodes = append(nodes, n)
		}
	}
	if len(nodes) == 0 {
		return nil
	}
	return d.progress.step(fmt.Sprintf("starting %d chaincode server(s)", len(nodes)), func() error {
		return d.startNodes(ctx, nodes)
	})
}

func (d *Devnet) eachHospital(fn func(msp string) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, msp := range d.Hospitals() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(msp); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

func sameProcess(a, b nodeState) bool {
	return a.Exe == b.Exe && slices.Equal(a.Args, b.Args) && slices.Equal(a.Env, b.Env)
}
