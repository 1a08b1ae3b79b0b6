package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/medledger/medledger/runtime/engine"
)

func init() { register(newContractCmd) }

// contractCommands are the constructors of `medledger contract` subcommands defined in other files (for example
// the ones that talk to a network), added by registerContract.
var contractCommands []func() *cobra.Command

// registerContract adds a `medledger contract` subcommand constructor. Call it from init.
func registerContract(newCmd func() *cobra.Command) {
	contractCommands = append(contractCommands, newCmd)
}

func newContractCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "contract",
		Short: "Validate, run and deploy WebAssembly contracts",
	}
	cmd.AddCommand(newValidateCmd(), newCallCmd())
	for _, c := range contractCommands {
		cmd.AddCommand(c())
	}
	return cmd
}

func newValidateCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate FILE.wasm",
		Short: "Check a module against the deploy-time gate the peers run",
		Long: "validate runs the same gate the operator and every peer run before a contract is deployed: size cap,\n" +
			"ABI marker, required exports, allowed imports, memory limits. It prints what it found, or the reason the\n" +
			"module would be rejected (exit code 1).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			wasm, err := readModule(args[0])
			if err != nil {
				return err
			}
			eng, err := newEngine()
			if err != nil {
				return err
			}
			defer eng.Close(context.Background())
			info, err := eng.Validate(wasm)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			return printValidation(cmd.OutOrStdout(), args[0], info, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func printValidation(w io.Writer, file string, info engine.ModuleInfo, asJSON bool) error {
	if asJSON {
		return writeJSON(w, struct {
			File string `json:"file"`
			engine.ModuleInfo
		}{file, info})
	}
	fmt.Fprintf(w, "%s: valid medledger contract\n", file)
	fmt.Fprintf(w, "  sha256       %s\n", info.SHA256)
	fmt.Fprintf(w, "  size         %d bytes\n", info.Size)
	fmt.Fprintf(w, "  abi          v%d\n", info.ABIVersion)
	fmt.Fprintf(w, "  memory       %d pages initial\n", info.MemoryMinPages)
	fmt.Fprintf(w, "  functions    %d defined, %d mutable globals\n", info.Functions, info.MutableGlobals)
	fmt.Fprintf(w, "  exports      %s\n", strings.Join(info.Exports, ", "))
	fmt.Fprintf(w, "  imports      %s\n", strings.Join(info.Imports, ", "))
	return nil
}

// newEngine returns an engine whose compiled modules persist in the user's cache directory, so calling the same
// module again skips compilation. MEDLEDGER_CACHE_DIR overrides the location; an unusable cache is not fatal.
func newEngine() (*engine.Engine, error) {
	cfg := engine.NewConfig()
	dir := os.Getenv("MEDLEDGER_CACHE_DIR")
	if dir == "" {
		if base, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(base, "medledger", "compiled")
		}
	}
	if dir != "" {
		if eng, err := engine.New(cfg.WithCacheDir(dir)); err == nil {
			return eng, nil
		}
	}
	return engine.New(cfg)
}

// readModule reads a module file with an error that says which file and why.
func readModule(path string) ([]byte, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read module: %w", err)
	}
	return wasm, nil
}

var contractNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

// defaultContractName derives a contract name from a module's file name: "Consent_v2.wasm" → "consent-v2".
func defaultContractName(path string) string {
	base := strings.ToLower(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	var b strings.Builder
	for _, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		name = "c-" + name
	}
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-")
	}
	return name
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// contractFailure turns a contract error or trap into exit code 2, other failures keep exit code 1.
func contractFailure(err error) error {
	var ce *engine.ContractError
	var te *engine.TrapError
	if errors.As(err, &ce) || errors.As(err, &te) {
		return &exitError{code: 2, err: err}
	}
	return err
}

// parseTime parses --time; empty means the current time, truncated to the second so the run is reproducible when
// the printed value is passed back.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--time %q: want RFC 3339, e.g. 2026-03-01T09:30:00Z", s)
	}
	return t.UTC(), nil
}
