package devnet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// memBackend runs the story's calls in the real engine against in-memory ledgers (one per contract), so the
// script is checked in seconds; the real-Fabric run is in operator/internal/e2e.
type memBackend struct {
	hs map[string]*sdktest.Harness
}

func (m *memBackend) call(_ context.Context, h []string, contract, function string, args any, who actor, _ bool) ([]byte, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	id := sdktest.NewIdentity(h[who.Hospital], who.Name, who.Role, who.Attrs)
	r := m.hs[contract].Call(function, raw, sdktest.As(id), sdktest.At(time.Now().UTC()))
	if r.Err != nil {
		return nil, errors.New(r.Message())
	}
	return r.Output, nil
}

func TestDemoStories(t *testing.T) {
	b := &memBackend{hs: map[string]*sdktest.Harness{}}
	for _, name := range DemoContracts {
		b.hs[name] = sdktest.New(t, sdktest.Build(t, "../../../plugins/"+name), sdktest.WithName(name))
	}
	h := []string{"Hospital1MSP", "Hospital2MSP"}
	var out bytes.Buffer
	s := &story{w: &out, start: time.Now()}
	ctx := context.Background()
	for run := range 2 { // a second run on the same ledger must work too (make devnet twice)
		stamp := time.Now().UTC().Add(time.Duration(run) * time.Second).Format("20060102T150405")
		for _, part := range []func(context.Context, *story, backend, []string, string) error{consentStory, traceabilityStory, healthplanStory} {
			if err := part(ctx, s, b, h, stamp); err != nil {
				t.Fatalf("run %d: %v\n%s", run, err, out.String())
			}
		}
	}
	for _, want := range []string{
		"grants consent", "TREAT: PERMIT", "(HRESCH): DENY", "breaks the glass", "PERMIT (the consents alone say deny)", "break-glass access(es)",
		"commissions 2 packs", "receives exactly what was shipped", "dispense_twice", "COUNTERFEIT CAUGHT", "status unknown_serial", "investigation: suspect",
		"publishes h2-silver-ppo v1", "bills claim", "plan pays", "the member owes",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the story lacks %q", want)
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Log("\n" + out.String())
	}
}
