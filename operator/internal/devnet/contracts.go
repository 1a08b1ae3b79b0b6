package devnet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"google.golang.org/grpc/status"

	"github.com/medledger/medledger/operator/internal/fabricadmin"
	"github.com/medledger/medledger/runtime/chaincode"
)

// ContractSpec describes a WebAssembly contract to deploy on the devnet's wasmcc.
type ContractSpec struct {
	Name    string
	Version string
	Wasm    []byte
	// Isolation is snapshot (default), fresh or pooled; Limits are the contract's per-call limits.
	Isolation string
	Limits    chaincode.Limits
	// As deploys (default: the first hospital's admin). Orgs endorse (default: every hospital, which any
	// governance rule accepts).
	As   *fabricadmin.Identity
	Orgs []string
	// Chaincode is the wasmcc chaincode to deploy on (default WasmccName).
	Chaincode string
}

// DeployContract deploys spec on wasmcc, or upgrades the contract when it runs another version, and waits
// until every peer has committed it; the same name, version and code deployed again is a no-op that returns
// the current entry.
//
// # Errors
//   - spec has no name, version or module;
//   - the version is deployed already with other code (bump the version);
//   - wasmcc refuses (the message says why: not an admin, invalid module, governance...) or the transaction
//     does not commit (e.g. ENDORSEMENT_POLICY_FAILURE when too few hospitals endorsed).
func (d *Devnet) DeployContract(ctx context.Context, spec ContractSpec) (chaincode.Entry, error) {
	if spec.Name == "" || spec.Version == "" || len(spec.Wasm) == 0 {
		return chaincode.Entry{}, errors.New("devnet: a contract needs a name, a version and a module")
	}
	ccName := orDefault(spec.Chaincode, WasmccName)
	sum := sha256.Sum256(spec.Wasm)
	sha := hex.EncodeToString(sum[:])
	fn := "deploy"
	if cur, err := d.Contract(ctx, ccName, spec.Name); err == nil {
		switch {
		case cur.Version == spec.Version && cur.SHA256 == sha:
			return cur, nil
		case cur.Version == spec.Version:
			return chaincode.Entry{}, fmt.Errorf("devnet: contract %s version %s is deployed with other code (sha256 %.12s…, yours %.12s…): give the new code a new version", spec.Name, spec.Version, cur.SHA256, sha)
		}
		fn = "upgrade"
	} else if !strings.Contains(err.Error(), "is not deployed") {
		return chaincode.Entry{}, err
	}
	as := spec.As
	if as == nil {
		var err error
		if as, err = d.Identity(d.Hospitals()[0], true); err != nil {
			return chaincode.Entry{}, err
		}
	}
	orgs := spec.Orgs
	if orgs == nil {
		orgs = d.Hospitals()
	}
	raw, err := json.Marshal(chaincode.DeploySpec{Name: spec.Name, Version: spec.Version, SHA256: sha, Isolation: spec.Isolation, Limits: spec.Limits})
	if err != nil {
		return chaincode.Entry{}, err
	}
	res, err := d.wasmccTx(ctx, ccName, as, "", true, fn, [][]byte{raw}, map[string][]byte{chaincode.TransientModule: spec.Wasm}, orgs)
	if err != nil {
		return chaincode.Entry{}, fmt.Errorf("devnet: %s %s %s: %w", fn, spec.Name, spec.Version, err)
	}
	var e chaincode.Entry
	if err := json.Unmarshal(res.payload, &e); err != nil {
		return e, fmt.Errorf("devnet: %s answered %q: %w", fn, res.payload, err)
	}
	return e, d.WaitCommitted(ctx, res.block)
}

// Contract returns the registry entry of contract name on wasmcc chaincode ccName ("" for WasmccName).
//
// # Errors
//   - the contract is not deployed ("... is not deployed"), or the query fails.
func (d *Devnet) Contract(ctx context.Context, ccName, name string) (chaincode.Entry, error) {
	res, err := d.wasmccTx(ctx, orDefault(ccName, WasmccName), nil, "", false, "get", [][]byte{[]byte(name)}, nil, nil)
	if err != nil {
		return chaincode.Entry{}, err
	}
	var e chaincode.Entry
	if err := json.Unmarshal(res.payload, &e); err != nil {
		return e, fmt.Errorf("devnet: get %s answered %q: %w", name, res.payload, err)
	}
	return e, nil
}

// Contracts lists every contract deployed on wasmcc chaincode ccName ("" for WasmccName), following the
// registry's pages.
//
// # Errors
//   - a query fails (e.g. wasmcc is not deployed).
func (d *Devnet) Contracts(ctx context.Context, ccName string) ([]chaincode.Entry, error) {
	var out []chaincode.Entry
	bookmark := ""
	for {
		opts, _ := json.Marshal(chaincode.ListOptions{PageSize: 100, Bookmark: bookmark})
		res, err := d.wasmccTx(ctx, orDefault(ccName, WasmccName), nil, "", false, "list", [][]byte{opts}, nil, nil)
		if err != nil {
			return nil, err
		}
		var page chaincode.ListPage
		if err := json.Unmarshal(res.payload, &page); err != nil {
			return nil, fmt.Errorf("devnet: list answered %q: %w", res.payload, err)
		}
		out = append(out, page.Contracts...)
		if page.Bookmark == "" || len(page.Contracts) == 0 {
			return out, nil
		}
		bookmark = page.Bookmark
	}
}

// Call is one contract call through the Gateway.
type Call struct {
	Contract string
	Function string
	// Args are the argument bytes (JSON by convention); nil sends "{}".
	Args []byte
	// As calls (default: the first hospital's client user); Peer is the gateway peer (default: the first peer
	// of As's hospital).
	As   *fabricadmin.Identity
	Peer string
	// Query evaluates on one peer (read-only: a contract that writes is refused) instead of submitting.
	Query bool
	// Orgs, for a submit, are the endorsing hospitals (default: the Gateway picks from the policies).
	Orgs []string
	// Chaincode is the wasmcc chaincode (default WasmccName).
	Chaincode string
	// NoWait returns a submit as soon as the gateway's peer committed it, without waiting for every peer.
	NoWait bool
}

// CallResult is a call's receipt and, for a submit, where it committed.
type CallResult struct {
	chaincode.Receipt
	TxID  string `json:"txId,omitempty"`
	Block uint64 `json:"block,omitempty"`
}

// Invoke calls a contract function through the Gateway: submitted and committed (on every peer, unless
// c.NoWait), or evaluated when c.Query.
//
// # Errors
//   - the contract error (its message verbatim, after the Gateway's prefix), a trap, an unknown contract;
//   - a commit as invalid: fabricadmin.ValidationCode(err) tells which.
func (d *Devnet) Invoke(ctx context.Context, c Call) (CallResult, error) {
	fn := "invokeReceipt"
	if c.Query {
		fn = "queryReceipt"
	}
	args := c.Args
	if args == nil {
		args = []byte("{}")
	}
	res, err := d.wasmccTx(ctx, orDefault(c.Chaincode, WasmccName), c.As, c.Peer, !c.Query, fn,
		[][]byte{[]byte(c.Contract), []byte(c.Function), args}, nil, c.Orgs)
	out := CallResult{TxID: res.txID, Block: res.block}
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(res.payload, &out.Receipt); err != nil {
		return out, fmt.Errorf("devnet: %s answered %q: %w", fn, res.payload, err)
	}
	if !c.Query && !c.NoWait {
		return out, d.WaitCommitted(ctx, res.block)
	}
	return out, nil
}

// ContractMessage extracts the chaincode's message from a Gateway error: the per-peer details the Gateway
// attaches ("chaincode response 400, <message>"), else the same text found in the error string, else the
// whole error text.
func ContractMessage(err error) string {
	if err == nil {
		return ""
	}
	for _, d := range status.Convert(err).Details() {
		if ed, ok := d.(*gateway.ErrorDetail); ok {
			if msg, ok := chaincodeMessage(ed.GetMessage()); ok {
				return msg
			}
		}
	}
	if msg, ok := chaincodeMessage(err.Error()); ok {
		return msg
	}
	return err.Error()
}

// chaincodeMessage returns the message after "chaincode response NNN, " up to the end of that detail.
func chaincodeMessage(s string) (string, bool) {
	_, after, ok := strings.Cut(s, "chaincode response ")
	if !ok {
		return "", false
	}
	_, msg, ok := strings.Cut(after, ", ")
	if !ok {
		return "", false
	}
	for _, end := range []string{" [", "]: ", "]"} {
		if i := strings.Index(msg, end); i >= 0 && (end != "]" || i == len(msg)-1) {
			msg = msg[:i]
		}
	}
	return msg, true
}

// WaitCommitted waits until every peer of the devnet has committed block (its height exceeds it). The Gateway
// returns once its own peer committed a transaction; another hospital's peer may take a moment longer, so a
// read there right after a write needs this.
//
// # Errors
//   - ctx ends first (the message names the peer that lags);
//   - a peer cannot be queried.
func (d *Devnet) WaitCommitted(ctx context.Context, block uint64) error {
	return d.eachNode(KindPeer, func(n nodeState) error {
		p, conn, err := d.AdminPeer(n.Name)
		if err != nil {
			return err
		}
		defer conn.Close()
		for {
			h, err := p.Height(ctx, d.st.Channel)
			if err == nil && h > block {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("devnet: %s did not commit block %d (height %d): %w (last query: %w)", n.Name, block, h, ctx.Err(), err)
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
}
