package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

type callFlags struct {
	name      string
	statePath string
	caller    string
	attrs     []string
	at        string
	txID      string
	isolation string
	gas       uint64
	asJSON    bool
}

func newCallCmd() *cobra.Command {
	var f callFlags
	cmd := &cobra.Command{
		Use:   "call FILE.wasm FUNCTION [ARGS_JSON]",
		Short: "Run one contract call locally against an in-memory ledger",
		Long: "call runs FUNCTION of the contract in FILE.wasm in the real sandbox, against an in-memory ledger loaded\n" +
			"from --state (if the file exists) and saved back to it when the call succeeds, so a sequence of calls\n" +
			"builds up state. A contract error or trap exits with code 2 and leaves the state file untouched.\n" +
			"Every call is metered: it prints the gas it used, and runs out of gas (a trap) above --gas.",
		Example: `  medledger contract call bin/plugins/example.wasm add '{"id":"n1","text":"hello"}' --state notes.json \
      --caller Hospital1MSP:client:alice --time 2026-03-01T09:30:00Z
  medledger contract call consent.wasm check '{...}' --caller Hospital2MSP:client:dr-lee --attr role=clinician
  medledger contract call healthplan.wasm submitClaim '{...}' --gas 500000000`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			argsJSON := "{}"
			if len(args) == 3 {
				argsJSON = args[2]
			}
			return runCall(cmd.Context(), cmd.OutOrStdout(), args[0], args[1], argsJSON, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.name, "name", "", "contract name, which is its key namespace (default: from the file name)")
	fl.StringVar(&f.statePath, "state", "", "ledger state file to load and, on success, save (JSON)")
	fl.StringVar(&f.caller, "caller", "Org1MSP:client:user1", "caller identity as MSPID[:ROLE][:ID]")
	fl.StringArrayVar(&f.attrs, "attr", nil, "caller certificate attribute KEY=VALUE (repeatable)")
	fl.StringVar(&f.at, "time", "", "transaction timestamp, RFC 3339 (default: now)")
	fl.StringVar(&f.txID, "tx", "", "transaction id (default: derived from the call)")
	fl.StringVar(&f.isolation, "isolation", "snapshot", "isolation mode: snapshot, fresh or pooled")
	fl.Uint64Var(&f.gas, "gas", 0, fmt.Sprintf("gas limit of the call (default: the contract default, %d; at most %d)",
		engine.DefaultLimits.Gas, engine.CeilingLimits.Gas))
	fl.BoolVar(&f.asJSON, "json", false, "print the outcome as JSON")
	return cmd
}

// callOutcome is what `contract call --json` prints.
type callOutcome struct {
	Contract   string          `json:"contract"`
	Function   string          `json:"function"`
	OK         bool            `json:"ok"`
	Result     json.RawMessage `json:"result,omitempty"`
	ResultText string          `json:"resultText,omitempty"`
	Error      string          `json:"error,omitempty"`
	Writes     []ledger.Write  `json:"writes"`
	Events     []eventOut      `json:"events"`
	Log        []string        `json:"log,omitempty"`
	GasUsed    uint64          `json:"gasUsed"`
	GasLimit   uint64          `json:"gasLimit"`
	DurationUS int64           `json:"durationMicros"`
	TxID       string          `json:"txId"`
	Timestamp  time.Time       `json:"timestamp"`
}

type eventOut struct {
	Name    string          `json:"name"`
	Payload json.RawMessage `json:"payload,omitempty"`
	Text    string          `json:"text,omitempty"`
}

func runCall(ctx context.Context, w io.Writer, file, function, argsJSON string, f callFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// Everything the user typed is checked before anything runs or is read from disk.
	if !json.Valid([]byte(argsJSON)) {
		return fmt.Errorf("ARGS_JSON is not valid JSON: %s", argsJSON)
	}
	name := f.name
	if name == "" {
		name = defaultContractName(file)
	}
	if !contractNameRE.MatchString(name) {
		return fmt.Errorf("--name %q: want lowercase letters, digits and '-', starting with a letter, at most 63", name)
	}
	caller, err := parseCaller(f.caller, f.attrs)
	if err != nil {
		return err
	}
	at, err := parseTime(f.at)
	if err != nil {
		return err
	}
	iso, err := engine.ParseIsolation(f.isolation)
	if err != nil {
		return fmt.Errorf("--isolation: %w", err)
	}
	if f.gas > engine.CeilingLimits.Gas {
		return fmt.Errorf("--gas %d is above the host ceiling %d", f.gas, engine.CeilingLimits.Gas)
	}
	wasm, err := readModule(file)
	if err != nil {
		return err
	}
	state, err := loadState(f.statePath)
	if err != nil {
		return err
	}
	txID := f.txID
	if txID == "" {
		txID = fmt.Sprintf("local-%d-%s", at.UnixNano(), function)
	}

	eng, err := newEngine()
	if err != nil {
		return err
	}
	defer eng.Close(context.Background())
	contract, err := eng.Load(ctx, name, wasm, engine.ContractConfig{Isolation: iso})
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	res, callErr := contract.Call(ctx, engine.Call{
		Function: function, Args: []byte(argsJSON), State: state,
		Caller: caller, TxID: txID, Timestamp: at, GasLimit: f.gas,
	})
	out := callOutcome{
		Contract: name, Function: function, OK: callErr == nil, GasUsed: res.GasUsed, GasLimit: res.GasLimit,
		DurationUS: res.Duration.Microseconds(), TxID: txID, Timestamp: at, Writes: []ledger.Write{}, Events: []eventOut{},
	}
	for _, l := range res.Log {
		out.Log = append(out.Log, fmt.Sprintf("[%s] %s", l.Source, l.Message))
	}
	if callErr != nil {
		out.Error = callErr.Error()
		state.Rollback()
		if err := printCall(w, out, f.asJSON); err != nil {
			return err
		}
		return contractFailure(callErr)
	}
	rw, err := state.Commit()
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	out.Writes = append(out.Writes, rw.Writes...)
	if json.Valid(res.Output) && len(res.Output) > 0 {
		out.Result = res.Output
	} else {
		out.ResultText = string(res.Output)
	}
	for _, e := range res.Events {
		ev := eventOut{Name: e.Name}
		if json.Valid(e.Payload) {
			ev.Payload = e.Payload
		} else {
			ev.Text = string(e.Payload)
		}
		out.Events = append(out.Events, ev)
	}
	if f.statePath != "" {
		if err := saveState(f.statePath, state); err != nil {
			return err
		}
	}
	return printCall(w, out, f.asJSON)
}

func printCall(w io.Writer, out callOutcome, asJSON bool) error {
	if asJSON {
		return writeJSON(w, out)
	}
	if out.OK {
		result := string(out.Result)
		if out.Result == nil {
			result = fmt.Sprintf("%q", out.ResultText)
		}
		fmt.Fprintf(w, "ok       %s.%s\nresult   %s\n", out.Contract, out.Function, result)
	} else {
		fmt.Fprintf(w, "failed   %s.%s\nerror    %s\n", out.Contract, out.Function, out.Error)
	}
	for _, wr := range out.Writes {
		if wr.IsDelete {
			fmt.Fprintf(w, "delete   %s\n", wr.Key)
			continue
		}
		fmt.Fprintf(w, "write    %s = %s\n", wr.Key, printable(wr.Value))
	}
	for _, e := range out.Events {
		payload := string(e.Payload)
		if e.Payload == nil {
			payload = fmt.Sprintf("%q", e.Text)
		}
		fmt.Fprintf(w, "event    %s %s\n", e.Name, payload)
	}
	for _, l := range out.Log {
		fmt.Fprintf(w, "log      %s\n", l)
	}
	fmt.Fprintf(w, "gas      %d of %d\nduration %s\n", out.GasUsed, out.GasLimit, time.Duration(out.DurationUS)*time.Microsecond)
	return nil
}

// printable shows a value as text when it is short valid UTF-8, else as its size.
func printable(v []byte) string {
	const max = 200
	if !utf8.Valid(v) {
		return fmt.Sprintf("<%d bytes>", len(v))
	}
	if len(v) > max {
		return string(v[:max]) + fmt.Sprintf("… (%d bytes)", len(v))
	}
	return string(v)
}

// parseCaller builds the caller identity from --caller MSPID[:ROLE][:ID] and --attr KEY=VALUE flags, shaped like
// the identity a Fabric peer derives from an X.509 certificate.
func parseCaller(spec string, attrs []string) (engine.Identity, error) {
	parts := strings.Split(spec, ":")
	if len(parts) > 3 || parts[0] == "" {
		return engine.Identity{}, fmt.Errorf("--caller %q: want MSPID[:ROLE][:ID], e.g. Hospital1MSP:client:alice", spec)
	}
	msp, role, id := parts[0], "client", "user1"
	if len(parts) > 1 && parts[1] != "" {
		role = parts[1]
	}
	if len(parts) > 2 && parts[2] != "" {
		id = parts[2]
	}
	switch role {
	case "admin", "client", "peer", "orderer", "member":
	default:
		return engine.Identity{}, fmt.Errorf("--caller role %q: want admin, client, peer, orderer or member", role)
	}
	m := map[string]string{}
	for _, a := range attrs {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return engine.Identity{}, fmt.Errorf("--attr %q: want KEY=VALUE", a)
		}
		m[k] = v
	}
	subject := "CN=" + id + ",OU=" + role
	issuer := "CN=ca." + strings.ToLower(strings.TrimSuffix(msp, "MSP"))
	return engine.Identity{
		MSPID: msp, ID: "x509::" + subject + "::" + issuer, Subject: subject, Issuer: issuer, Role: role, Attrs: m,
	}, nil
}

// loadState reads the ledger from path; a missing file is an empty ledger.
func loadState(path string) (*ledger.Memory, error) {
	state := ledger.NewMemory()
	if path == "" {
		return state, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return state, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	if err := json.Unmarshal(data, state); err != nil {
		return nil, fmt.Errorf("state file %s is not a medledger ledger: %w", path, err)
	}
	return state, nil
}

// saveState writes the ledger to path atomically, so an interrupted save never leaves a half-written file.
func saveState(path string, state *ledger.Memory) error {
	data, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}
