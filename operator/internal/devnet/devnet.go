// Package devnet realises a medledger network as local processes: hospitals' peers and the consortium's orderers
// run as supervised children of `medledger devnet up` on free loopback ports, with TLS, without Docker or a
// cluster. The artifacts (PKI, node configuration, genesis block) come from operator/internal/network, exactly as
// the operator renders them for pods; channel joins and the chaincode lifecycle go through fabricadmin.
//
// A devnet lives in a work dir (default .medledger/devnet): VERSION (format stamp), state.json (topology, ports,
// processes, chaincodes), one folder per node with its MSP, TLS files, ledger, pid file and node.log.
// `up` on an existing work dir restarts whatever is not running with its ledger intact; `down` stops every process
// it started, by the pid recorded in the work dir.
//
// On top of the network: DeployChaincode runs chaincode-as-a-service servers (shared, or one per hospital over
// mutual TLS, as hospitals run them in production); DeployWasmcc deploys medledger's contract runtime that way
// and sets its governance; DeployContract, Invoke and Contracts deploy and call WebAssembly contracts through
// the Gateway; User issues identities with Fabric CA attributes from a hospital's CA (kept under users/); and
// RunDemo tells the health contracts' story.
package devnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// DefaultDir is the work dir used when Options.Dir is empty, relative to the current directory.
const DefaultDir = ".medledger/devnet"

// Topology is the shape of the network: how many hospitals (each its own org and MSP), peers per hospital and
// orderer nodes (one orderer org, etcdraft).
type Topology struct {
	Hospitals        int `json:"hospitals"`
	PeersPerHospital int `json:"peersPerHospital"`
	Orderers         int `json:"orderers"`
}

// DefaultTopology is 2 hospitals with 1 peer each and 1 orderer.
var DefaultTopology = Topology{Hospitals: 2, PeersPerHospital: 1, Orderers: 1}

// Limits keep a devnet to what one machine runs comfortably and what naming supports.
const (
	MaxHospitals        = 9
	MaxPeersPerHospital = 4
	MaxOrderers         = 5
)

func (t Topology) validate() error {
	var errs []error
	if t.Hospitals < 1 || t.Hospitals > MaxHospitals {
		errs = append(errs, fmt.Errorf("hospitals = %d, want 1..%d", t.Hospitals, MaxHospitals))
	}
	if t.PeersPerHospital < 1 || t.PeersPerHospital > MaxPeersPerHospital {
		errs = append(errs, fmt.Errorf("peers per hospital = %d, want 1..%d", t.PeersPerHospital, MaxPeersPerHospital))
	}
	if t.Orderers < 1 || t.Orderers > MaxOrderers {
		errs = append(errs, fmt.Errorf("orderers = %d, want 1..%d", t.Orderers, MaxOrderers))
	}
	if len(errs) > 0 {
		return fmt.Errorf("devnet: invalid topology: %w", errors.Join(errs...))
	}
	return nil
}

// Options configure Up.
type Options struct {
	// Dir is the work dir; empty means DefaultDir.
	Dir string
	// FabricBin holds the peer and orderer binaries (see FindFabricBin).
	FabricBin string
	// Topology of a new devnet; zero means DefaultTopology. For an existing devnet it must be zero or equal to
	// the recorded one: changing the shape of a running ledger is not supported (down --purge first).
	Topology Topology
	// Channel is the application channel's name; empty means "medledger".
	Channel string
	// BasePort, when not 0, takes a new devnet's ports consecutively from it instead of letting the kernel
	// pick. An existing devnet keeps the ports it recorded.
	BasePort int
	// Builder is the command that runs medledger's external chaincode builder, the stage name (detect, build,
	// release) and the peer's arguments being appended: e.g. {"/path/ccbuilder"} or
	// {"/path/medledger", "devnet", "ccbuilder"}.
	Builder []string
	// Out receives progress lines; nil discards them.
	Out io.Writer
}

// DefaultChannel is the channel name used when Options.Channel is empty.
const DefaultChannel = "medledger"

// Devnet is a running (or restartable) local network.
type Devnet struct {
	st       *state
	progress *progress
}

// Up brings a devnet up in opts.Dir: on first use it generates the network (PKI, node configs, genesis block)
// and allocates ports; then it starts every orderer and peer that is not running, waits until each serves,
// joins the orderers and peers to the channel and sets anchor peers (all idempotent), waits until every
// peer sees every other through discovery, and restarts the chaincode servers it supervises. Progress goes to
// opts.Out. When a step fails after processes were started, Up returns the Devnet with the error and leaves
// them running, so their status and logs can be inspected; Down stops them.
//
// # Errors
//   - the topology is out of range, or differs from the existing devnet's;
//   - the Fabric binaries are missing ("Fabric binaries not found in ...: run `make tools`"); an existing
//     devnet uses the binaries it was made with unless opts.FabricBin says otherwise;
//   - opts.Builder is empty;
//   - the work dir was made by another devnet format (VERSION stamp) or moved;
//   - a port the devnet needs is in use by another process (the error names port, node and purpose);
//   - a node exits during start-up (the error holds its last log lines) or is not ready in time;
//   - a channel join, anchor peer update or discovery wait fails.
func Up(ctx context.Context, opts Options) (*Devnet, error) {
	p := newProgress(opts.Out)
	dir, err := filepath.Abs(orDefault(opts.Dir, DefaultDir))
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	if opts.Topology != (Topology{}) {
		if err := opts.Topology.validate(); err != nil {
			return nil, err
		}
	}
	if err := checkBuilder(opts.Builder); err != nil {
		return nil, err
	}
	exists, err := checkStamp(dir)
	if err != nil {
		return nil, err
	}
	var st *state
	if exists {
		if st, err = loadState(dir); err != nil {
			return nil, err
		}
		if opts.Topology != (Topology{}) && opts.Topology != st.Topology {
			return nil, fmt.Errorf("devnet: %s holds a %s network; the requested %s needs `medledger devnet down --purge` first", dir, st.Topology, opts.Topology)
		}
		if opts.Channel != "" && opts.Channel != st.Channel {
			return nil, fmt.Errorf("devnet: %s holds channel %q, not %q; `medledger devnet down --purge` first", dir, st.Channel, opts.Channel)
		}
		// An existing devnet keeps the binaries it was made with unless told otherwise.
		bin := opts.FabricBin
		if bin == "" {
			bin = st.fabricBin()
		}
		if err := CheckFabricBin(bin); err != nil {
			return nil, err
		}
		if bin != st.fabricBin() {
			st.setFabricBin(bin)
			if err := st.save(); err != nil {
				return nil, err
			}
		}
		p.printf("restarting the devnet in %s (%s, channel %s), ledgers intact", dir, st.Topology, st.Channel)
	} else {
		topo := opts.Topology
		if topo == (Topology{}) {
			topo = DefaultTopology
		}
		bin := FindFabricBin(opts.FabricBin)
		if err := CheckFabricBin(bin); err != nil {
			return nil, err
		}
		err = p.step(fmt.Sprintf("generating a %s network in %s", topo, dir), func() error {
			st, err = generate(genInput{dir: dir, bin: bin, topo: topo, channel: orDefault(opts.Channel, DefaultChannel), basePort: opts.BasePort})
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	d := &Devnet{st: st, progress: p}
	if err := writeBuilder(st.Builder, opts.Builder); err != nil {
		return nil, err
	}
	fabricNodes := slices.DeleteFunc(slices.Clone(st.Nodes), func(n nodeState) bool { return n.Kind == KindChaincode })
	if err := p.step(fmt.Sprintf("starting %d orderer(s) and %d peer(s)", count(st, KindOrderer), count(st, KindPeer)), func() error {
		return d.startNodes(ctx, fabricNodes)
	}); err != nil {
		return d, err
	}
	if err := d.setupChannel(ctx); err != nil {
		return d, err
	}
	if err := d.restartChaincodes(ctx); err != nil {
		return d, err
	}
	d.report(p.w)
	p.printf("devnet ready in %.1fs", p.total().Seconds())
	return d, nil
}

// Open returns the devnet recorded in dir without starting anything, for status, demo and tests.
//
// # Errors
//   - dir holds no devnet, one of another format, or was moved.
func Open(dir string, out io.Writer) (*Devnet, error) {
	abs, err := filepath.Abs(orDefault(dir, DefaultDir))
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	st, err := loadState(abs)
	if err != nil {
		return nil, err
	}
	return &Devnet{st: st, progress: newProgress(out)}, nil
}

// Down stops every process of the devnet in dir (chaincode servers, then peers, then orderers), by the pids
// recorded there. With purge it then deletes the work dir (ledgers, keys, logs). A dir without a devnet is
// success when purging finds nothing to delete.
//
// # Errors
//   - dir exists but is not a devnet work dir (no VERSION stamp): nothing is stopped or deleted;
//   - a process survives SIGKILL;
//   - the work dir cannot be deleted.
func Down(dir string, purge bool, out io.Writer) error {
	p := newProgress(out)
	abs, err := filepath.Abs(orDefault(dir, DefaultDir))
	if err != nil {
		return fmt.Errorf("devnet: %w", err)
	}
	if _, err := os.Stat(abs); errors.Is(err, os.ErrNotExist) {
		p.printf("no devnet in %s", abs)
		return nil
	}
	if !fileExists(filepath.Join(abs, versionFile)) && !fileExists(filepath.Join(abs, stateFile)) {
		return fmt.Errorf("devnet: %s is not a devnet work dir (no VERSION or state.json); refusing to touch it", abs)
	}
	st := &state{}
	stateErr := readJSON(filepath.Join(abs, stateFile), st)
	if stateErr == nil {
		var ordered []nodeState
		for _, kind := range []string{KindChaincode, KindPeer, KindOrderer} {
			for _, n := range st.Nodes {
				if n.Kind == kind {
					ordered = append(ordered, n)
				}
			}
		}
		if err := stopNodes(ordered, p); err != nil {
			return err
		}
	} else if !purge {
		return fmt.Errorf("devnet: cannot read %s: %w", filepath.Join(abs, stateFile), stateErr)
	}
	if purge {
		if err := os.RemoveAll(abs); err != nil {
			return fmt.Errorf("devnet: purge %s: %w", abs, err)
		}
		p.printf("purged %s", abs)
	} else {
		p.printf("devnet stopped; data kept in %s (`up` resumes it, `down --purge` deletes it)", abs)
	}
	return nil
}

// Dir returns the devnet's work dir.
func (d *Devnet) Dir() string { return d.st.Dir }

// Channel returns the application channel's name.
func (d *Devnet) Channel() string { return d.st.Channel }

// Topology returns the devnet's shape.
func (d *Devnet) Topology() Topology { return d.st.Topology }

func (t Topology) String() string {
	return fmt.Sprintf("%d hospital(s) x %d peer(s), %d orderer(s)", t.Hospitals, t.PeersPerHospital, t.Orderers)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func count(st *state, kind string) int {
	n := 0
	for _, x := range st.Nodes {
		if x.Kind == kind {
			n++
		}
	}
	return n
}
