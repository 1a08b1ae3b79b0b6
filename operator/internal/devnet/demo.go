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
	"time"

	"github.com/medledger/medledger/operator/internal/fabricadmin"
)

// DemoContracts are the health contracts the demo deploys, as bin/plugins/<name>.wasm.
var DemoContracts = []string{"consent", "traceability", "healthplan"}

// DemoOptions configure RunDemo.
type DemoOptions struct {
	// Wasmcc is the wasmcc binary to deploy (absolute or relative path).
	Wasmcc string
	// PluginsDir holds consent.wasm, traceability.wasm and healthplan.wasm (hack/build-plugins.sh output).
	PluginsDir string
	// Dir is the devnet's work dir as the user typed it, for the instructions printed at the end.
	Dir string
	// Out receives the story; nil discards it.
	Out io.Writer
}

// RunDemo deploys the contract runtime and the health contracts on the devnet (skipping what is deployed
// already) and runs a short scripted scenario through the Fabric Gateway that a newcomer can follow in the
// terminal: consent, a drug pack's journey with a counterfeit caught, a claim adjudicated. It leaves everything
// running and prints how to try more.
//
// # Errors
//   - the devnet has fewer than 2 hospitals;
//   - the wasmcc binary or a contract module is missing (the message names the make target that builds it);
//   - a deployment or a step of the story fails (the contract's message is included).
func RunDemo(ctx context.Context, d *Devnet, opts DemoOptions) error {
	w := opts.Out
	if w == nil {
		w = io.Discard
	}
	if len(d.Hospitals()) < 2 {
		return fmt.Errorf("devnet: the demo needs at least 2 hospitals, this devnet has %d (`medledger devnet up --hospitals 2`)", len(d.Hospitals()))
	}
	wasmcc, err := filepath.Abs(opts.Wasmcc)
	if err != nil {
		return err
	}
	if _, err := os.Stat(wasmcc); err != nil {
		return fmt.Errorf("devnet: the wasmcc binary %s is missing: run `make build` (or go build -o bin/ ./runtime/cmd/wasmcc)", opts.Wasmcc)
	}
	modules := map[string][]byte{}
	for _, name := range DemoContracts {
		b, err := os.ReadFile(filepath.Join(opts.PluginsDir, name+".wasm"))
		if err != nil {
			return fmt.Errorf("devnet: contract %s: %w: run `make plugins` (hack/build-plugins.sh) first", name, err)
		}
		modules[name] = b
	}
	s := &story{w: w, start: time.Now()}
	s.title("medledger demo: WebAssembly contracts on a Fabric network of %d hospitals", len(d.Hospitals()))
	s.say("Each hospital runs its own peer and its own wasmcc, the contract runtime; every transaction below is")
	s.say("endorsed by both hospitals' peers, ordered and committed on channel %q.", d.Channel())

	s.section("Deploying the contract runtime (wasmcc, one per hospital, mutual TLS)")
	if _, err := d.DeployWasmcc(ctx, WasmccOptions{Command: []string{wasmcc}}); err != nil {
		return err
	}
	for _, name := range DemoContracts {
		sum := sha256.Sum256(modules[name])
		version := "1.0.0+" + hex.EncodeToString(sum[:])[:12] // a rebuilt module deploys as an upgrade
		t0 := time.Now()
		e, err := d.DeployContract(ctx, ContractSpec{Name: name, Version: version, Wasm: modules[name]})
		if err != nil {
			return err
		}
		s.step("%-13s %s  %d bytes, sha256 %.16s…  (%s)", name, e.Version, e.Size, e.SHA256, time.Since(t0).Round(100*time.Millisecond))
	}
	s.say("Deploys need the governance policy (a majority of hospitals) and an admin: Fabric enforces it through")
	s.say("key-level endorsement policies on the registry.")

	b := &fabricBackend{d: d}
	run := time.Now().UTC().Format("20060102T150405")
	h := d.Hospitals()
	for _, part := range []func(context.Context, *story, backend, []string, string) error{consentStory, traceabilityStory, healthplanStory} {
		if err := part(ctx, s, b, h, run); err != nil {
			return err
		}
	}
	s.section("Done in %s: the network keeps running", time.Since(s.start).Round(time.Second))
	dir := ""
	if opts.Dir != "" && opts.Dir != DefaultDir {
		dir = " --dir " + opts.Dir
	}
	s.say("Try more:")
	s.step("medledger contract list%s", dir)
	s.step("medledger contract query consent auditTrail '{\"patient\":\"%s\"}' --as hospital1:client:portal-user-1042 --attr role=patient --attr patientId=%s%s", demoPatient, demoPatient, dir)
	s.step("medledger contract invoke traceability verify '{\"gtin\":\"%s\",\"serial\":\"S%s-1\",\"purpose\":\"dispensing\"}' --as hospital2:client:pharmacist --attr role=dispenser%s", demoGTIN, run[2:], dir)
	s.step("medledger contract deploy bin/plugins/example.wasm --name notes --version 1%s", dir)
	s.step("medledger devnet status%s   |   medledger devnet logs chaincode.wasmcc.hospital1%s   |   medledger devnet down%s", dir, dir, dir)
	return nil
}

// actor is who calls: an identity the devnet's hospital CA issues on first use.
type actor struct {
	Hospital int // index into the hospitals
	Name     string
	Role     string // admin or client
	Attrs    map[string]string
	// Label is how the story names them.
	Label string
}

// backend runs contract calls for the story: the devnet's Gateway, or an in-memory engine in tests.
type backend interface {
	// call runs contract.function(args) as who, submitted (committed) or, with query, evaluated. The error of a
	// refused call carries the contract's message.
	call(ctx context.Context, hospitals []string, contract, function string, args any, who actor, query bool) ([]byte, error)
}

type fabricBackend struct{ d *Devnet }

func (b *fabricBackend) call(ctx context.Context, hospitals []string, contract, function string, args any, who actor, query bool) ([]byte, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	id, err := b.identity(hospitals[who.Hospital], who)
	if err != nil {
		return nil, err
	}
	res, err := b.d.Invoke(ctx, Call{Contract: contract, Function: function, Args: raw, As: id, Query: query})
	if err != nil {
		return nil, errors.New(ContractMessage(err))
	}
	return res.Result, nil
}

func (b *fabricBackend) identity(msp string, who actor) (*fabricadmin.Identity, error) {
	return b.d.User(msp, who.Name, who.Role, who.Attrs)
}

// story prints the demo for a human reader.
type story struct {
	w     io.Writer
	start time.Time
}

func (s *story) title(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	fmt.Fprintf(s.w, "\n%s\n%s\n", line, strings.Repeat("=", len(line)))
}

func (s *story) section(format string, args ...any) {
	fmt.Fprintf(s.w, "\n== %s\n", fmt.Sprintf(format, args...))
}

func (s *story) say(format string, args ...any) {
	fmt.Fprintf(s.w, "   %s\n", fmt.Sprintf(format, args...))
}

func (s *story) step(format string, args ...any) {
	fmt.Fprintf(s.w, "   - %s\n", fmt.Sprintf(format, args...))
}

// do runs one call of the story and fails it with the step's description when the contract refuses.
func do(ctx context.Context, b backend, h []string, contract, function string, args any, who actor, query bool, into any) error {
	out, err := b.call(ctx, h, contract, function, args, who, query)
	if err != nil {
		return fmt.Errorf("demo: %s.%s as %s: %w", contract, function, who.Label, err)
	}
	if into != nil {
		if err := json.Unmarshal(out, into); err != nil {
			return fmt.Errorf("demo: %s.%s answered %s: %w", contract, function, out, err)
		}
	}
	return nil
}

// refused runs a call the story expects the contract to refuse and returns the contract's message.
func refused(ctx context.Context, b backend, h []string, contract, function string, args any, who actor) (string, error) {
	out, err := b.call(ctx, h, contract, function, args, who, false)
	if err == nil {
		return "", fmt.Errorf("demo: %s.%s as %s succeeded (%s), but the story expects a refusal", contract, function, who.Label, out)
	}
	return err.Error(), nil
}

func short(s string) string {
	if len(s) > 12 {
		return s[:8] + "…"
	}
	return s
}

func dollars(cents int64) string { return fmt.Sprintf("$%d.%02d", cents/100, cents%100) }
