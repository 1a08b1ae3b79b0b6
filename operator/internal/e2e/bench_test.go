package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/medledger/medledger/operator/internal/devnet"
	"github.com/medledger/medledger/operator/internal/fabricadmin"
	"github.com/medledger/medledger/operator/internal/testenv"
)

// nativeConsent is the chaincode name of plugins/consent compiled natively.
const nativeConsent = "consent-native"

var benchSetup struct {
	once sync.Once
	err  error
}

// buildNativeConsent compiles plugins/consent as a native Go chaincode: the same source, with the SDK's host
// functions served from the Fabric shim in-process (testdata/native/abi_native.go, swapped in with
// go build -overlay) and a main that serves it.
func buildNativeConsent(out string) error {
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	host, err := filepath.Abs(filepath.Join("testdata", "native", "abi_native.go"))
	if err != nil {
		return err
	}
	src, err := os.ReadFile(filepath.Join(root, "plugins", "consent", "main.go"))
	if err != nil {
		return err
	}
	if !strings.Contains(string(src), "\nfunc main() {}\n") {
		return fmt.Errorf("plugins/consent/main.go has no empty main to replace")
	}
	mainFile := filepath.Join(filepath.Dir(out), "consent_main.go")
	if err := os.WriteFile(mainFile, []byte(strings.Replace(string(src), "\nfunc main() {}\n", "\nfunc main() { sdk.ServeNative(\"consent\") }\n", 1)), 0o644); err != nil {
		return err
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {
		filepath.Join(root, "plugins", "sdk", "abi_host.go"): host,
		filepath.Join(root, "plugins", "consent", "main.go"): mainFile,
	}})
	ovFile := filepath.Join(filepath.Dir(out), "overlay.json")
	if err := os.WriteFile(ovFile, overlay, 0o644); err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-overlay", ovFile, "-o", out, "./plugins/consent")
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build native consent: %w\n%s", err, msg)
	}
	return nil
}

// benchNetwork prepares the shared network for the benchmark: the health contracts on wasmcc (through the
// demo) and consent as a native chaincode, both with one server per hospital over mutual TLS, both under the
// channel's default endorsement policy (MAJORITY: both hospitals endorse).
func benchNetwork(b *testing.B) *devnet.Devnet {
	d := network(b)
	benchSetup.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if _, err := d.Contract(ctx, "", "consent"); err != nil {
			if benchSetup.err = devnet.RunDemo(ctx, d, devnet.DemoOptions{Wasmcc: wasmccBin, PluginsDir: healthPlugins(b)}); benchSetup.err != nil {
				return
			}
		}
		bin := filepath.Join(shared.dir, "consent-native")
		if benchSetup.err = buildNativeConsent(bin); benchSetup.err != nil {
			return
		}
		if _, benchSetup.err = d.DeployChaincode(ctx, devnet.ChaincodeSpec{Name: nativeConsent, Command: []string{bin}, PerHospital: true, TLS: true}); benchSetup.err != nil {
			return
		}
		benchSetup.err = warmUp(ctx, d)
	})
	if benchSetup.err != nil {
		b.Fatalf("benchmark setup: %v\n%s", benchSetup.err, shared.log.String())
	}
	return d
}

// BenchmarkConsent_GrantCheck measures committed transactions per second through the Gateway for a consent
// grant followed by a check of the same patient (both submitted; check records an audit entry), with 48
// clients in flight, for plugins/consent as WebAssembly on wasmcc and compiled natively, in the same run on
// the same network. Reported: tx/s (2 per op), p50/p99 latency of one submit until its commit, and wasmcc's
// resident memory. Run it with a fixed count so both sides do the same work:
//
//	go test -run '^$' -bench Consent -benchtime 400x ./operator/internal/e2e/
func BenchmarkConsent_GrantCheck(b *testing.B) {
	d := benchNetwork(b)
	logRSS(b, d, "before the benchmark")
	for _, side := range []struct {
		name string
		cc   string
		tx   func(fn string, args []byte) fabricadmin.Tx
	}{
		{"wasm", devnet.WasmccName, func(fn string, args []byte) fabricadmin.Tx {
			return fabricadmin.Tx{Channel: d.Channel(), Chaincode: devnet.WasmccName, Function: "invoke", Args: [][]byte{[]byte("consent"), []byte(fn), args}}
		}},
		{"native", nativeConsent, func(fn string, args []byte) fabricadmin.Tx {
			return fabricadmin.Tx{Channel: d.Channel(), Chaincode: nativeConsent, Function: fn, Args: [][]byte{args}}
		}},
	} {
		b.Run(side.name, func(b *testing.B) {
			servers := []string{"chaincode." + side.cc + ".hospital1", "chaincode." + side.cc + ".hospital2"}
			cpu0 := cpuSeconds(d, servers)
			grantCheck(b, d, side.name, side.tx)
			if n := b.N; n > 0 {
				b.ReportMetric((cpuSeconds(d, servers)-cpu0)*1000/float64(2*n), "server-cpu-ms/tx")
			}
		})
	}
	logRSS(b, d, "after the benchmark")
}

// logRSS logs the resident memory of each hospital's wasmcc.
func logRSS(b *testing.B, d *devnet.Devnet, when string) {
	for _, h := range []string{"hospital1", "hospital2"} {
		pid := d.ChaincodeServerPID("chaincode.wasmcc." + h)
		if rss := residentMB(pid); rss > 0 {
			b.Logf("wasmcc of %s %s: %.0f MiB resident (pid %d; consent, traceability, healthplan loaded)", h, when, rss, pid)
		}
	}
}

var benchRun atomic.Int64

func grantCheck(b *testing.B, d *devnet.Devnet, side string, mkTx func(fn string, args []byte) fabricadmin.Tx) {
	ctx := context.Background()
	h := d.Hospitals()
	hs := watchHeights(b, ctx, d)
	defer func() { hs.stop(); <-hs.stopped }()
	clinician, err := d.User(h[1], "bench-clinician", "client", map[string]string{"role": "clinician", "practitionerId": "pr-bench"})
	if err != nil {
		b.Fatal(err)
	}
	run := benchRun.Add(1)
	var (
		mu        sync.Mutex
		latencies []time.Duration
		worker    atomic.Int64
	)
	submit := func(gw *fabricadmin.Gateway, fn string, args any) (fabricadmin.CommittedTx, error) {
		raw, _ := json.Marshal(args)
		t0 := time.Now()
		res, err := gw.Submit(ctx, mkTx(fn, raw))
		if err == nil {
			mu.Lock()
			latencies = append(latencies, time.Since(t0))
			mu.Unlock()
		}
		return res, err
	}
	b.SetParallelism(24) // 48 clients: a transaction waits ~250 ms for its block, concurrency sets throughput
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := worker.Add(1)
		patient := pseudo(fmt.Sprintf("bench-%s-%d-%d-%d", side, time.Now().UnixNano(), run, w))
		pid, err := d.User(h[0], "bench-patient-"+patient[:12], "client", map[string]string{"role": "patient", "patientId": patient})
		if err != nil {
			b.Error(err)
			return
		}
		pgw, pconn, err := d.GatewayAs(d.Peers(h[0])[0], pid)
		if err != nil {
			b.Error(err)
			return
		}
		defer pconn.Close()
		cgw, cconn, err := d.GatewayAs(d.Peers(h[1])[0], clinician)
		if err != nil {
			b.Error(err)
			return
		}
		defer cconn.Close()
		for i := 0; pb.Next(); i++ {
			res, err := submit(pgw, "grant", benchConsent(patient, "c"+strconv.Itoa(i), h[1]))
			if err != nil {
				b.Errorf("grant: %v", err)
				return
			}
			hs.wait(res.BlockNumber) // check is endorsed by both hospitals: both must have the grant
			if _, err := submit(cgw, "check", map[string]any{"patient": patient, "action": "access", "purpose": "TREAT",
				"class": map[string]string{"system": "http://hl7.org/fhir/resource-types", "code": "Observation"}}); err != nil {
				b.Errorf("check: %v", err)
				return
			}
		}
	})
	elapsed := b.Elapsed()
	b.StopTimer()
	slices.Sort(latencies)
	if n := len(latencies); n > 0 {
		b.ReportMetric(float64(n)/elapsed.Seconds(), "tx/s")
		b.ReportMetric(float64(latencies[n/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(latencies[min(n-1, n*99/100)].Microseconds())/1000, "p99-ms")
	}
}

// warmUp runs a check on both sides until it commits: the Gateway's discovery learns of a newly committed
// chaincode a moment after the commit, and each server connects and loads on its first call. Neither belongs
// in the measurement.
func warmUp(ctx context.Context, d *devnet.Devnet) error {
	h := d.Hospitals()
	id, err := d.User(h[1], "bench-clinician", "client", map[string]string{"role": "clinician", "practitionerId": "pr-bench"})
	if err != nil {
		return err
	}
	gw, conn, err := d.GatewayAs(d.Peers(h[1])[0], id)
	if err != nil {
		return err
	}
	defer conn.Close()
	args, _ := json.Marshal(map[string]any{"patient": pseudo("warm-up"), "action": "access", "purpose": "TREAT",
		"class": map[string]string{"system": "http://hl7.org/fhir/resource-types", "code": "Observation"}})
	for _, tx := range []fabricadmin.Tx{
		{Channel: d.Channel(), Chaincode: devnet.WasmccName, Function: "invoke", Args: [][]byte{[]byte("consent"), []byte("check"), args}},
		{Channel: d.Channel(), Chaincode: nativeConsent, Function: "check", Args: [][]byte{args}},
	} {
		deadline := time.Now().Add(time.Minute)
		for {
			_, err := gw.Submit(ctx, tx)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("warm-up of %s: %w", tx.Chaincode, err)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	return nil
}

// benchConsent is a patient-privacy consent: deny, except treatment access by org.
func benchConsent(patient, id, org string) map[string]any {
	const cs = "http://terminology.hl7.org/CodeSystem/"
	code := func(system, c string) map[string]any {
		return map[string]any{"coding": []any{map[string]string{"system": system, "code": c}}}
	}
	return map[string]any{"resourceType": "Consent", "id": id, "status": "active",
		"scope": code(cs+"consentscope", "patient-privacy"), "category": []any{code("http://loinc.org", "59284-0")},
		"patient": map[string]string{"reference": "Patient/" + patient}, "organization": []any{map[string]string{"reference": "Organization/" + org}},
		"policyRule": code(cs+"v3-ActCode", "OPTIN"),
		"provision": map[string]any{"type": "deny", "provision": []any{map[string]any{"type": "permit",
			"actor":   []any{map[string]any{"role": code(cs+"v3-ParticipationType", "PRCP"), "reference": map[string]string{"reference": "Organization/" + org}}},
			"action":  []any{code(cs+"consentaction", "access")},
			"purpose": []any{map[string]string{"system": cs + "v3-ActReason", "code": "TREAT"}}}}},
	}
}

// cpuSeconds returns the CPU time (user + system) the named chaincode servers have used so far.
func cpuSeconds(d *devnet.Devnet, nodes []string) float64 {
	total := 0.0
	for _, n := range nodes {
		raw, err := os.ReadFile("/proc/" + strconv.Itoa(d.ChaincodeServerPID(n)) + "/stat")
		if err != nil {
			continue
		}
		s := string(raw)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 12 {
			u, _ := strconv.ParseFloat(f[11], 64) // utime, field 14
			k, _ := strconv.ParseFloat(f[12], 64) // stime, field 15
			total += (u + k) / 100                // clock ticks (USER_HZ = 100 on Linux)
		}
	}
	return total
}

// residentMB returns the resident set size of pid in MiB, or 0.
func residentMB(pid int) float64 {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
