package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/medledger/medledger/operator/internal/devnet"
	"github.com/medledger/medledger/operator/internal/fabricadmin"
	"github.com/medledger/medledger/runtime/chaincode"
	"github.com/medledger/medledger/runtime/engine"
)

func init() {
	registerContract(newDeployCmd)
	registerContract(newInvokeCmd)
	registerContract(newQueryCmd)
	registerContract(newListCmd)
	registerContract(newDemoCmd)
}

// netFlags are the flags every network command shares.
type netFlags struct {
	dir     string
	as      string
	attrs   []string
	peer    string
	timeout time.Duration
	asJSON  bool
}

func (f *netFlags) register(cmd *cobra.Command, defaultRole string) {
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "dir", devnet.DefaultDir, "work dir of the devnet")
	fl.StringVar(&f.as, "as", "hospital1", "identity as HOSPITAL[:ROLE[:NAME]], e.g. hospital2, Hospital2MSP:client:dr-lee (ROLE defaults to "+defaultRole+")")
	fl.StringArrayVar(&f.attrs, "attr", nil, "certificate attribute KEY=VALUE of the --as identity (repeatable; the devnet's CA issues it)")
	fl.StringVar(&f.peer, "peer", "", "gateway peer (default: the first peer of the --as hospital)")
	fl.DurationVar(&f.timeout, "timeout", 2*time.Minute, "give up after this long")
	fl.BoolVar(&f.asJSON, "json", false, "print the outcome as JSON")
}

// identity resolves --as and --attr on d. An identity with neither a name nor attributes is the hospital's
// own admin or client user; any other is issued by the hospital's CA on first use.
func (f *netFlags) identity(d *devnet.Devnet, defaultRole string) (*fabricadmin.Identity, error) {
	spec, err := parseAs(f.as, defaultRole)
	if err != nil {
		return nil, err
	}
	attrs, err := parseAttrs(f.attrs)
	if err != nil {
		return nil, err
	}
	msp, err := d.HospitalMSP(spec.hospital)
	if err != nil {
		return nil, fmt.Errorf("--as %q: %w", f.as, err)
	}
	if spec.name == "" && len(attrs) == 0 {
		return d.Identity(msp, spec.role == "admin")
	}
	if spec.name == "" {
		spec.name = "cli-" + spec.role
	}
	return d.User(msp, spec.name, spec.role, attrs)
}

type asSpec struct{ hospital, role, name string }

// parseAs parses HOSPITAL[:ROLE[:NAME]].
func parseAs(s, defaultRole string) (asSpec, error) {
	parts := strings.Split(s, ":")
	if len(parts) > 3 || parts[0] == "" {
		return asSpec{}, fmt.Errorf("--as %q: want HOSPITAL[:ROLE[:NAME]], e.g. hospital2:client:dr-lee", s)
	}
	a := asSpec{hospital: parts[0], role: defaultRole}
	if len(parts) > 1 && parts[1] != "" {
		a.role = parts[1]
	}
	if a.role != "admin" && a.role != "client" {
		return asSpec{}, fmt.Errorf("--as %q: role %q is not admin or client", s, a.role)
	}
	if len(parts) > 2 {
		a.name = parts[2]
	}
	return a, nil
}

func parseAttrs(in []string) (map[string]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, a := range in {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--attr %q: want KEY=VALUE", a)
		}
		out[k] = v
	}
	return out, nil
}

func openDevnet(dir string) (*devnet.Devnet, error) {
	d, err := devnet.Open(dir, io.Discard)
	if err != nil {
		return nil, fmt.Errorf("%w (start one with `medledger devnet up`)", err)
	}
	return d, nil
}

// networkFailure gives a failure the chaincode reported (a contract error, a trap, a refusal) exit code 2;
// other failures keep exit code 1.
func networkFailure(err error) error {
	if err != nil && strings.Contains(err.Error(), "chaincode response") {
		return &exitError{code: 2, err: errors.New(devnet.ContractMessage(err))}
	}
	return err
}

func newDeployCmd() *cobra.Command {
	var (
		f         netFlags
		name      string
		version   string
		isolation string
		limits    string
	)
	cmd := &cobra.Command{
		Use:   "deploy FILE.wasm --name NAME --version VERSION",
		Short: "Deploy (or upgrade) a contract on the devnet's wasmcc, endorsed by every hospital",
		Long: "deploy stores the module on the ledger by its sha256 and registers it under --name, as an admin of the\n" +
			"--as hospital; every hospital's peer validates and compiles it first. A contract already deployed under\n" +
			"another version is upgraded (its state stays); the same version and code again changes nothing.",
		Example: `  medledger contract deploy bin/plugins/consent.wasm --name consent --version 1.0.0
  medledger contract deploy notes.wasm --name notes --version 2 --as hospital2 --limits '{"maxWrites":100}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if name == "" {
				name = defaultContractName(args[0])
			}
			if !contractNameRE.MatchString(name) {
				return fmt.Errorf("--name %q: want lowercase letters, digits and '-', starting with a letter, at most 63", name)
			}
			if version == "" {
				return errors.New("--version is required (e.g. 1.0.0)")
			}
			if _, err := engine.ParseIsolation(isolation); err != nil {
				return fmt.Errorf("--isolation: %w", err)
			}
			var lim chaincode.Limits
			if limits != "" {
				dec := json.NewDecoder(strings.NewReader(limits))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&lim); err != nil {
					return fmt.Errorf("--limits: %w", err)
				}
			}
			wasm, err := readModule(args[0])
			if err != nil {
				return err
			}
			d, err := openDevnet(f.dir)
			if err != nil {
				return err
			}
			as, err := f.identity(d, "admin")
			if err != nil {
				return err
			}
			ctx, cancel := signalContext(cmd.Context(), f.timeout)
			defer cancel()
			e, err := d.DeployContract(ctx, devnet.ContractSpec{Name: name, Version: version, Wasm: wasm, Isolation: isolation, Limits: lim, As: as})
			if err != nil {
				return networkFailure(err)
			}
			if f.asJSON {
				return writeJSON(cmd.OutOrStdout(), e)
			}
			printEntry(cmd.OutOrStdout(), e)
			return nil
		},
	}
	f.register(cmd, "admin")
	fl := cmd.Flags()
	fl.StringVar(&name, "name", "", "contract name, which is its key namespace (default: from the file name)")
	fl.StringVar(&version, "version", "", "version to register (required)")
	fl.StringVar(&isolation, "isolation", "snapshot", "isolation mode: snapshot, fresh or pooled")
	fl.StringVar(&limits, "limits", "", `per-call limits as JSON, e.g. {"memoryPages":256,"timeoutMillis":2000}`)
	return cmd
}

func printEntry(w io.Writer, e chaincode.Entry) {
	fmt.Fprintf(w, "%s %s deployed (registry sequence %d)\n", e.Name, e.Version, e.Sequence)
	fmt.Fprintf(w, "  sha256      %s (%d bytes, ABI v%d)\n", e.SHA256, e.Size, e.ABIVersion)
	fmt.Fprintf(w, "  isolation   %s\n", e.Isolation)
	fmt.Fprintf(w, "  deployed by %s in tx %s at %s\n", e.DeployedBy.MSPID, e.TxID, e.Timestamp.Format(time.RFC3339))
	if e.PreviousVersion != "" {
		fmt.Fprintf(w, "  upgraded from %s\n", e.PreviousVersion)
	}
}

func newInvokeCmd() *cobra.Command { return newCallNetCmd(false) }
func newQueryCmd() *cobra.Command  { return newCallNetCmd(true) }

func newCallNetCmd(query bool) *cobra.Command {
	var (
		f    netFlags
		orgs []string
	)
	use, short, long := "invoke", "Submit a contract call through the Gateway and wait until it commits",
		"invoke runs FUNCTION of the deployed CONTRACT as the --as identity: endorsed by the hospitals the\n"+
			"endorsement policy needs (or --endorse), ordered and committed. A contract error exits with code 2."
	if query {
		use, short, long = "query", "Evaluate a contract call on one peer (read-only, nothing is ordered)",
			"query runs FUNCTION of the deployed CONTRACT on the --as hospital's peer without ordering it; a function\n"+
				"that writes is refused (use invoke). A contract error exits with code 2."
	}
	cmd := &cobra.Command{
		Use:   use + " CONTRACT FUNCTION [ARGS_JSON]",
		Short: short,
		Long:  long,
		Example: `  medledger contract ` + use + ` notes add '{"id":"n1","text":"hello"}' --as hospital1
  medledger contract ` + use + ` consent check '{"patient":"…","action":"access","purpose":"TREAT"}' \
      --as hospital2:client:dr-lee --attr role=clinician --attr practitionerId=pr-7 --attr onDuty=true`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			argsJSON := "{}"
			if len(args) == 3 {
				argsJSON = args[2]
			}
			if !json.Valid([]byte(argsJSON)) {
				return fmt.Errorf("ARGS_JSON is not valid JSON: %s", argsJSON)
			}
			d, err := openDevnet(f.dir)
			if err != nil {
				return err
			}
			as, err := f.identity(d, "client")
			if err != nil {
				return err
			}
			var endorse []string
			for _, o := range orgs {
				msp, err := d.HospitalMSP(o)
				if err != nil {
					return fmt.Errorf("--endorse %q: %w", o, err)
				}
				endorse = append(endorse, msp)
			}
			ctx, cancel := signalContext(cmd.Context(), f.timeout)
			defer cancel()
			start := time.Now()
			res, err := d.Invoke(ctx, devnet.Call{Contract: args[0], Function: args[1], Args: []byte(argsJSON), As: as, Peer: f.peer, Query: query, Orgs: endorse})
			if err != nil {
				return networkFailure(err)
			}
			if f.asJSON {
				return writeJSON(cmd.OutOrStdout(), res)
			}
			printReceipt(cmd.OutOrStdout(), res, time.Since(start))
			return nil
		},
	}
	f.register(cmd, "client")
	if !query {
		cmd.Flags().StringSliceVar(&orgs, "endorse", nil, "hospitals that endorse (default: what the endorsement policy needs)")
	}
	return cmd
}

func printReceipt(w io.Writer, r devnet.CallResult, took time.Duration) {
	result := string(r.Result)
	if r.Result == nil {
		result = fmt.Sprintf("%q", r.ResultBase64)
	} else if pretty, err := indentJSON(r.Result); err == nil {
		result = pretty
	}
	fmt.Fprintf(w, "%s.%s (%s %s)\n%s\n", r.Contract, r.Function, r.Contract, r.Version, result)
	fmt.Fprintf(w, "gas used %d, %d key(s) written", r.GasUsed, r.Writes)
	if len(r.Events) > 0 {
		fmt.Fprintf(w, ", events %s", strings.Join(r.Events, ", "))
	}
	if r.TxID != "" {
		fmt.Fprintf(w, "; committed in block %d as tx %.16s… (%s)\n", r.Block, r.TxID, took.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "; evaluated in %s, not ordered\n", took.Round(time.Millisecond))
	}
	for _, l := range r.Log {
		fmt.Fprintf(w, "log      %s\n", l)
	}
}

func indentJSON(b []byte) (string, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "", err
	}
	out, err := json.MarshalIndent(v, "", "  ")
	return string(out), err
}

func newListCmd() *cobra.Command {
	var f netFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the contracts deployed on the devnet's wasmcc",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := openDevnet(f.dir)
			if err != nil {
				return err
			}
			ctx, cancel := signalContext(cmd.Context(), f.timeout)
			defer cancel()
			entries, err := d.Contracts(ctx, "")
			if err != nil {
				return networkFailure(err)
			}
			w := cmd.OutOrStdout()
			if f.asJSON {
				if entries == nil {
					entries = []chaincode.Entry{}
				}
				return writeJSON(w, entries)
			}
			if len(entries) == 0 {
				fmt.Fprintln(w, "no contracts deployed (medledger contract deploy FILE.wasm --name N --version V)")
				return nil
			}
			fmt.Fprintf(w, "%-20s %-20s %-14s %-10s %-14s %s\n", "NAME", "VERSION", "SHA256", "ISOLATION", "DEPLOYED BY", "AT")
			for _, e := range entries {
				fmt.Fprintf(w, "%-20s %-20s %-14.12s %-10s %-14s %s\n", e.Name, e.Version, e.SHA256, e.Isolation, e.DeployedBy.MSPID, e.Timestamp.Format(time.RFC3339))
			}
			return nil
		},
	}
	f.register(cmd, "client")
	return cmd
}

func newDemoCmd() *cobra.Command {
	var (
		f       netFlags
		wasmcc  string
		plugins string
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Deploy wasmcc and the health contracts on the devnet and run a short scripted scenario",
		Long: "demo deploys the contract runtime (one wasmcc per hospital) and the consent, traceability and healthplan\n" +
			"contracts on a running devnet, then tells a short story through them: consent, a drug pack's journey and\n" +
			"a claim. It is idempotent: running it again reuses what is deployed and tells the story again.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := devnet.Open(f.dir, cmd.OutOrStdout()) // deployment progress is part of the show
			if err != nil {
				return fmt.Errorf("%w (start one with `medledger devnet up`)", err)
			}
			if wasmcc == "" {
				wasmcc = siblingBinary("wasmcc")
			}
			if plugins == "" {
				plugins = filepath.Join(filepath.Dir(devnet.FindFabricBin("")), "plugins") // bin/plugins next to bin/fabric
			}
			ctx, cancel := signalContext(cmd.Context(), f.timeout)
			defer cancel()
			return devnet.RunDemo(ctx, d, devnet.DemoOptions{Wasmcc: wasmcc, PluginsDir: plugins, Out: cmd.OutOrStdout(), Dir: f.dir})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "dir", devnet.DefaultDir, "work dir of the devnet")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Minute, "give up after this long")
	fl.StringVar(&wasmcc, "wasmcc", "", "the wasmcc binary (default: next to this medledger binary; `make build` puts both in bin/)")
	fl.StringVar(&plugins, "plugins", "", "folder of consent.wasm, traceability.wasm, healthplan.wasm (default: bin/plugins of this checkout, built by `make plugins`)")
	return cmd
}

// siblingBinary returns name next to the running executable.
func siblingBinary(name string) string {
	self, err := os.Executable()
	if err != nil {
		return name
	}
	return filepath.Join(filepath.Dir(self), name)
}
