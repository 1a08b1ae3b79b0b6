package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/medledger/medledger/operator/internal/devnet"
	"github.com/medledger/medledger/operator/internal/fabricadmin"
)

// submitter submits contract calls through the Gateway, endorsed by every hospital, keeping one Gateway per
// identity.
type submitter struct {
	d       *devnet.Devnet
	orgs    []string
	heights *heights
	mu      sync.Mutex
	gws     map[string]*fabricadmin.Gateway
	close   []func()
}

func newSubmitter(t *testing.T, ctx context.Context, d *devnet.Devnet) *submitter {
	return &submitter{d: d, orgs: d.Hospitals(), gws: map[string]*fabricadmin.Gateway{}, heights: watchHeights(t, ctx, d)}
}

// heights follows every peer's ledger height, so a caller can wait until all peers committed a block: the
// Gateway returns once its own peer committed, and a next call endorsed by a peer that has not yet would
// read older state (the Gateway then refuses the differing endorsements).
type heights struct {
	mu      sync.Mutex
	cond    *sync.Cond
	min     uint64
	stop    func()
	stopped chan struct{}
}

func watchHeights(t testing.TB, ctx context.Context, d *devnet.Devnet) *heights {
	t.Helper()
	var peers []*fabricadmin.Peer
	for _, msp := range d.Hospitals() {
		for _, name := range d.Peers(msp) {
			p, conn, err := d.AdminPeer(name)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close() })
			peers = append(peers, p)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	hs := &heights{stop: cancel, stopped: make(chan struct{})}
	hs.cond = sync.NewCond(&hs.mu)
	go func() {
		defer close(hs.stopped)
		for ctx.Err() == nil {
			low := uint64(0)
			for i, p := range peers {
				h, err := p.Height(ctx, d.Channel())
				if err != nil {
					h = 0
				}
				if i == 0 || h < low {
					low = h
				}
			}
			hs.mu.Lock()
			if low > hs.min {
				hs.min = low
				hs.cond.Broadcast()
			}
			hs.mu.Unlock()
			time.Sleep(10 * time.Millisecond)
		}
		hs.mu.Lock()
		hs.min = ^uint64(0) // release waiters
		hs.cond.Broadcast()
		hs.mu.Unlock()
	}()
	return hs
}

// wait returns once every peer committed block.
func (hs *heights) wait(block uint64) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for hs.min <= block {
		hs.cond.Wait()
	}
}

func (s *submitter) gateway(msp, name, role string, attrs map[string]string) (*fabricadmin.Gateway, error) {
	key := fmt.Sprint(msp, name, role, attrs)
	s.mu.Lock()
	defer s.mu.Unlock()
	if gw, ok := s.gws[key]; ok {
		return gw, nil
	}
	id, err := s.d.User(msp, name, role, attrs)
	if err != nil {
		return nil, err
	}
	gw, conn, err := s.d.GatewayAs(s.d.Peers(msp)[0], id)
	if err != nil {
		return nil, err
	}
	s.gws[key] = gw
	s.close = append(s.close, func() { gw.Close(); conn.Close() })
	return gw, nil
}

func (s *submitter) done() {
	s.heights.stop()
	<-s.heights.stopped
	for _, c := range s.close {
		c()
	}
}

// tally counts the outcomes of randomized calls.
type tally struct {
	committed, refused atomic.Int64
	mu                 sync.Mutex
	refusals           map[string]int
	failures           []string
}

// submit runs contract.function(args) as the identity, endorsed by every hospital. A call the contract refuses
// (the same on every peer) is tallied; any other failure, in particular endorsements that disagree or a
// transaction that does not commit VALID, is recorded as a failure.
func (s *submitter) submit(ctx context.Context, tl *tally, contract, function string, args any, msp, name, role string, attrs map[string]string) []byte {
	raw, err := json.Marshal(args)
	if err != nil {
		panic(err)
	}
	gw, err := s.gateway(msp, name, role, attrs)
	if err == nil {
		var res fabricadmin.CommittedTx
		res, err = gw.Submit(ctx, fabricadmin.Tx{Channel: s.d.Channel(), Chaincode: devnet.WasmccName, Function: "invoke",
			Args: [][]byte{[]byte(contract), []byte(function), raw}, Orgs: s.orgs})
		if err == nil {
			tl.committed.Add(1)
			s.heights.wait(res.BlockNumber) // the worker's next call may depend on this one on every peer
			return res.Result
		}
	}
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if _, validation := fabricadmin.ValidationCode(err); !validation && strings.Contains(err.Error(), "chaincode response 400") {
		tl.refused.Add(1)
		msg := devnet.ContractMessage(err)
		code, _, _ := strings.Cut(msg, ":")
		tl.refusals[contract+"."+function+" "+code]++
		return nil
	}
	tl.failures = append(tl.failures, fmt.Sprintf("%s.%s: %v", contract, function, err))
	return nil
}

// determinism (a subtest of TestWasmcc_Fabric, after the demo deployed the health contracts): perContract
// randomized calls of each health contract, each endorsed by both hospitals' peers (two independent
// wasmcc processes). The Gateway refuses endorsements whose read/write sets differ and Fabric invalidates
// transactions that do not satisfy the policy, so every call must either commit VALID or be refused by the
// contract in the same way on the peer that ran it.
func determinism(t *testing.T, ctx context.Context, d *devnet.Devnet, perContract int) {
	const workers = 8
	s := newSubmitter(t, ctx, d)
	defer s.done()
	h := d.Hospitals()
	run := time.Now().UTC().Format("150405")
	tallies := map[string]*tally{}
	var wg sync.WaitGroup
	for _, contract := range []string{"consent", "traceability", "healthplan"} {
		tl := &tally{refusals: map[string]int{}}
		tallies[contract] = tl
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), uint64(len(contract))))
				n := perContract / workers
				switch contract {
				case "consent":
					randomConsent(ctx, s, tl, rng, h, fmt.Sprintf("%s-%d", run, w), n)
				case "traceability":
					randomTraceability(ctx, s, tl, rng, h, fmt.Sprintf("%s%d", run, w), n)
				case "healthplan":
					randomHealthplan(ctx, s, tl, rng, h, fmt.Sprintf("%s-%d", run, w), n)
				}
			}()
		}
	}
	wg.Wait()
	for contract, tl := range tallies {
		t.Logf("%s: %d committed VALID, %d refused by the contract %v", contract, tl.committed.Load(), tl.refused.Load(), tl.refusals)
		for _, f := range tl.failures {
			t.Errorf("%s", f)
		}
		if c := tl.committed.Load(); c < int64(perContract)*8/10 {
			t.Errorf("%s: only %d of about %d calls committed: the generator should mostly make valid calls", contract, c, perContract)
		}
	}
}

func pseudo(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func pick[T any](rng *rand.Rand, xs ...T) T { return xs[rng.IntN(len(xs))] }

// randomConsent: patients of the worker grant and revoke random consents; clinicians of both hospitals check
// random accesses and sometimes break the glass.
func randomConsent(ctx context.Context, s *submitter, tl *tally, rng *rand.Rand, h []string, tag string, n int) {
	const cs = "http://terminology.hl7.org/CodeSystem/"
	patients := []string{pseudo("p1-" + tag), pseudo("p2-" + tag)}
	active := map[string][]string{}
	classes := []string{"Observation", "Condition", "MedicationStatement", "DiagnosticReport"}
	for i := range n {
		p := patients[i%len(patients)]
		patientAttrs := map[string]string{"role": "patient", "patientId": p}
		switch r := rng.IntN(10); {
		case r < 3 || len(active[p]) == 0:
			id := fmt.Sprintf("c%d-%s", i, tag)
			org := pick(rng, h...)
			prov := map[string]any{"type": "permit",
				"actor":   []any{map[string]any{"role": map[string]any{"coding": []any{map[string]string{"system": cs + "v3-ParticipationType", "code": "PRCP"}}}, "reference": map[string]string{"reference": "Organization/" + org}}},
				"action":  []any{map[string]any{"coding": []any{map[string]string{"system": cs + "consentaction", "code": "access"}}}},
				"purpose": []any{map[string]string{"system": cs + "v3-ActReason", "code": pick(rng, "TREAT", "HPAYMT", "HRESCH")}},
			}
			if rng.IntN(2) == 0 {
				prov["provision"] = []any{map[string]any{"type": "deny", "securityLabel": []any{map[string]string{"system": cs + "v3-ActCode", "code": pick(rng, "PSY", "HIV", "SUD")}}}}
			}
			consent := map[string]any{"resourceType": "Consent", "id": id, "status": "active",
				"scope":        map[string]any{"coding": []any{map[string]string{"system": cs + "consentscope", "code": "patient-privacy"}}},
				"category":     []any{map[string]any{"coding": []any{map[string]string{"system": "http://loinc.org", "code": "59284-0"}}}},
				"patient":      map[string]string{"reference": "Patient/" + p},
				"organization": []any{map[string]string{"reference": "Organization/" + h[0]}},
				"policyRule":   map[string]any{"coding": []any{map[string]string{"system": cs + "v3-ActCode", "code": "OPTIN"}}},
				"provision":    map[string]any{"type": pick(rng, "deny", "deny", "permit"), "provision": []any{prov}},
			}
			if s.submit(ctx, tl, "consent", "grant", consent, h[0], "patient-"+p[:12], "client", patientAttrs) != nil {
				active[p] = append(active[p], id)
			}
		case r < 8:
			args := map[string]any{"patient": p, "action": "access", "purpose": pick(rng, "TREAT", "ETREAT", "HPAYMT", "HRESCH"),
				"class": map[string]string{"system": "http://hl7.org/fhir/resource-types", "code": pick(rng, classes...)}}
			if rng.IntN(3) == 0 {
				args["securityLabel"] = []any{map[string]string{"system": cs + "v3-ActCode", "code": "PSY"}}
			}
			msp := pick(rng, h...)
			s.submit(ctx, tl, "consent", "check", args, msp, "clinician", "client", map[string]string{"role": "clinician", "practitionerId": "pr-" + msp, "onDuty": "true"})
		case r < 9:
			s.submit(ctx, tl, "consent", "breakGlass", map[string]any{"patient": p, "class": map[string]string{"system": "http://hl7.org/fhir/resource-types", "code": pick(rng, classes...)}},
				h[0], "er-doctor", "client", map[string]string{"role": "clinician", "practitionerId": "pr-er", "onDuty": "true"})
		default:
			ids := active[p]
			k := rng.IntN(len(ids))
			if s.submit(ctx, tl, "consent", "revoke", map[string]string{"patient": p, "id": ids[k]}, h[0], "patient-"+p[:12], "client", patientAttrs) != nil {
				active[p] = append(ids[:k], ids[k+1:]...)
			}
		}
	}
}

// randomTraceability: the worker's lot is commissioned in random batches, shipped to hospital 2's pharmacy,
// received, partly dispensed, and random serials (some never commissioned) are verified.
func randomTraceability(ctx context.Context, s *submitter, tl *tally, rng *rand.Rand, h []string, tag string, n int) {
	const gtin = "00361414123458"
	line := map[string]string{"role": "manufacturer"}
	pharmacist := map[string]string{"role": "dispenser"}
	lot, expiry := "L"+tag, time.Now().UTC().AddDate(1, 0, 0).Format("2006-01-02")
	calls, batch := 0, 0
	var stock []string
	for calls < n {
		batch++
		k := 1 + rng.IntN(4)
		var serials []string
		for j := range k {
			serials = append(serials, fmt.Sprintf("R%s-%d-%d", tag, batch, j))
		}
		items := make([]map[string]string, k)
		for j, sn := range serials {
			items[j] = map[string]string{"gtin": gtin, "serial": sn}
		}
		calls += 3
		if s.submit(ctx, tl, "traceability", "commission", map[string]any{"gtin": gtin, "lot": lot, "expiry": expiry, "serials": serials, "location": "0361414000018"}, h[0], "line", "client", line) == nil {
			continue
		}
		shipment := fmt.Sprintf("ASN-R%s-%d", tag, batch)
		if s.submit(ctx, tl, "traceability", "ship", map[string]any{"shipmentId": shipment, "to": h[1], "shipTo": "0870000000016", "objects": items, "transactionStatement": true, "location": "0361414000018"}, h[0], "line", "client", line) == nil {
			continue
		}
		if s.submit(ctx, tl, "traceability", "receive", map[string]any{"shipmentId": shipment, "objects": items, "location": "0870000000016"}, h[1], "pharmacist", "client", pharmacist) == nil {
			continue
		}
		stock = append(stock, serials...)
		for range rng.IntN(3) {
			if len(stock) == 0 || calls >= n {
				break
			}
			i := rng.IntN(len(stock))
			calls++
			if s.submit(ctx, tl, "traceability", "dispense", map[string]any{"items": []any{map[string]string{"gtin": gtin, "serial": stock[i]}}, "location": "0870000000016"}, h[1], "pharmacist", "client", pharmacist) != nil {
				stock = append(stock[:i], stock[i+1:]...)
			}
		}
		if calls < n {
			calls++
			serial := fmt.Sprintf("R%s-%d-%d", tag, batch, rng.IntN(6)) // sometimes one never commissioned
			s.submit(ctx, tl, "traceability", "verify", map[string]any{"gtin": gtin, "serial": serial, "purpose": pick(rng, "dispensing", "receiving", "other")}, h[1], "pharmacist", "client", pharmacist)
		}
	}
}

// randomHealthplan: the worker's members are enrolled and hospital billing submits claims with random lines
// against the demo's plan.
func randomHealthplan(ctx context.Context, s *submitter, tl *tally, rng *rand.Rand, h []string, tag string, n int) {
	payer := map[string]string{"role": "payer"}
	provider := map[string]string{"role": "provider"}
	today := time.Now().UTC().Format("2006-01-02")
	var members []string
	for i := range n {
		if len(members) == 0 || rng.IntN(6) == 0 {
			m := pseudo(fmt.Sprintf("member-%s-%d", tag, i))
			if s.submit(ctx, tl, "healthplan", "enroll", map[string]any{"memberId": m, "familyId": pseudo("family-" + m), "relationship": "self",
				"planId": "h2-silver-ppo", "coverage": map[string]string{"start": today}}, h[1], "claims-examiner", "client", payer) != nil {
				members = append(members, m)
			}
			continue
		}
		var lines []map[string]any
		for range 1 + rng.IntN(3) {
			lines = append(lines, map[string]any{"code": pick(rng, "99213", "99214", "80053", "85025", "99283"), "serviceDate": today,
				"units": 1, "chargeCents": 2000 + rng.IntN(40000)})
		}
		s.submit(ctx, tl, "healthplan", "submitClaim", map[string]any{"claimId": fmt.Sprintf("R%s-%d", tag, i), "memberId": pick(rng, members...), "lines": lines},
			h[0], "billing", "client", provider)
	}
}
