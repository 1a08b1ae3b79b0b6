package devnet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/medledger/medledger/operator/internal/fabricadmin"
	"github.com/medledger/medledger/runtime/chaincode"
)

// WasmccName is the chaincode name medledger's contract runtime is deployed under.
const WasmccName = "wasmcc"

// EnvWasmccBinary records the sha256 of the wasmcc binary in each server's environment, so redeploying after
// a rebuild restarts the servers on the new binary.
const EnvWasmccBinary = "WASMCC_BINARY_SHA256"

// WasmccOptions configure DeployWasmcc.
type WasmccOptions struct {
	// Command runs a wasmcc server, e.g. {"/abs/path/bin/wasmcc"}; the devnet passes the address, package ID,
	// TLS files, a compile cache folder and a metrics address through the environment.
	Command []string
	// Name is the chaincode name (default WasmccName).
	Name string
	// Policy is wasmcc's chaincode endorsement policy; empty means the channel default (MAJORITY of the
	// hospitals). Registry changes always need the governance rule on top.
	Policy string
	// Governance is the rule of the registry's governance (default MAJORITY of all hospitals).
	Governance string
	// Env is added to every server's environment (e.g. WASMCC_LOG_LEVEL=debug, WASMCC_CALL_TIMEOUT=2s).
	Env []string
}

// DeployWasmcc deploys the contract runtime: one wasmcc server per hospital, over mutual TLS, each with its
// own compile cache and metrics endpoint, committed as chaincode opts.Name; then, on first deployment, sets
// the registry's governance to all hospitals under opts.Governance, endorsed by every hospital. It is
// idempotent, and restarts the servers when the binary changed.
//
// # Errors
//   - opts.Command is empty or its binary cannot be read;
//   - DeployChaincode fails;
//   - the governance transaction fails.
func (d *Devnet) DeployWasmcc(ctx context.Context, opts WasmccOptions) (Chaincode, error) {
	if len(opts.Command) == 0 {
		return Chaincode{}, errors.New("devnet: DeployWasmcc needs the wasmcc command")
	}
	name := orDefault(opts.Name, WasmccName)
	sum, err := fileSHA256(opts.Command[0])
	if err != nil {
		return Chaincode{}, fmt.Errorf("devnet: wasmcc binary: %w", err)
	}
	cc, err := d.DeployChaincode(ctx, ChaincodeSpec{
		Name: name, Policy: opts.Policy, Command: opts.Command, PerHospital: true, TLS: true,
		MetricsEnv: "WASMCC_METRICS_ADDRESS",
		Env:        append(append([]string{}, opts.Env...), EnvWasmccBinary+"="+sum),
		ServerEnv: func(_, dir string) []string {
			return []string{"WASMCC_CACHE_DIR=" + filepath.Join(dir, "compiled")}
		},
	})
	if err != nil {
		return cc, err
	}
	err = d.progress.step("setting the contract registry's governance", func() error {
		_, err := d.wasmccTx(ctx, name, nil, "", false, "governance", nil, nil, nil)
		if err == nil {
			return nil // already governed: a change is a governance decision, not a redeploy
		}
		if !strings.Contains(err.Error(), "governance is not configured") {
			return err
		}
		spec, _ := json.Marshal(chaincode.GovernanceSpec{Members: d.Hospitals(), Rule: opts.Governance})
		admin, err := d.Identity(d.Hospitals()[0], true)
		if err != nil {
			return err
		}
		res, err := d.wasmccTx(ctx, name, admin, "", true, "setGovernance", [][]byte{spec}, nil, d.Hospitals())
		if err != nil {
			return err
		}
		return d.WaitCommitted(ctx, res.block)
	})
	return cc, err
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// txResult is a wasmcc transaction's result.
type txResult struct {
	payload []byte
	txID    string
	block   uint64
}

// wasmccTx runs fn on the wasmcc chaincode ccName as id (nil: the first hospital's client user) through peer
// ("" : the first peer of id's hospital): submitted and awaited when submit, else evaluated on that peer. orgs
// chooses the endorsing organisations of a submit (nil: the Gateway decides from the policies).
func (d *Devnet) wasmccTx(ctx context.Context, ccName string, id *fabricadmin.Identity, peer string, submit bool, fn string, args [][]byte, transient map[string][]byte, orgs []string) (txResult, error) {
	if id == nil {
		var err error
		if id, err = d.Identity(d.Hospitals()[0], false); err != nil {
			return txResult{}, err
		}
	}
	if peer == "" {
		peers := d.Peers(id.MSPID())
		if len(peers) == 0 {
			return txResult{}, fmt.Errorf("devnet: %s has no peer to send through", id.MSPID())
		}
		peer = peers[0]
	}
	gw, conn, err := d.GatewayAs(peer, id)
	if err != nil {
		return txResult{}, err
	}
	defer conn.Close()
	defer gw.Close()
	tx := fabricadmin.Tx{Channel: d.st.Channel, Chaincode: ccName, Function: fn, Args: args, Transient: transient, Orgs: orgs}
	if !submit {
		if len(orgs) == 0 {
			tx.Orgs = []string{id.MSPID()} // evaluate on the caller's own peer
		}
		out, err := gw.Evaluate(ctx, tx)
		return txResult{payload: out}, err
	}
	res, err := gw.Submit(ctx, tx)
	return txResult{payload: res.Result, txID: res.TransactionID, block: res.BlockNumber}, err
}
