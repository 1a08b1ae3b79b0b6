package fabricstub_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/medledger/medledger/runtime/ledger/fabricstub"
	"github.com/medledger/medledger/runtime/ledger/fabricstub/peertest"
)

func TestSetEvents(t *testing.T) {
	events := []fabricstub.Event{
		{Name: "ConsentGranted", Payload: []byte(`{"patient":"p1"}`)},
		{Name: "Binary", Payload: []byte{0xff, 0x00, 0x01}},
		{Name: "Empty"},
	}
	var set []fabricstub.Event
	p := startPeer(t, func(stub shim.ChaincodeStubInterface) *pb.Response {
		if err := fabricstub.SetEvents(stub, "consent", set); err != nil {
			return errResp(err)
		}
		return shim.Success(nil)
	}, peertest.Options{})

	set = nil
	if res := submit(t, p, "none"); res.Event != nil {
		t.Errorf("no events set event %+v", res.Event)
	}
	set = events
	res := submit(t, p, "three")
	if res.Event == nil || res.Event.EventName != "consent" {
		t.Fatalf("event = %+v, want one named consent", res.Event)
	}
	if !json.Valid(res.Event.Payload) || !bytes.Contains(res.Event.Payload, []byte(`"payload":{"patient":"p1"}`)) {
		t.Errorf("payload %s does not carry the JSON payload inline", res.Event.Payload)
	}
	got, err := fabricstub.DecodeEvents(res.Event.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(events) {
		t.Fatalf("decoded %d events, want %d", len(got), len(events))
	}
	for i := range events {
		if got[i].Name != events[i].Name || !bytes.Equal(got[i].Payload, events[i].Payload) {
			t.Errorf("event %d = %+v, want %+v", i, got[i], events[i])
		}
	}
}

func TestSetEvents_Errors(t *testing.T) {
	tests := []struct {
		name   string
		evName string
		events []fabricstub.Event
		want   string
	}{
		{"event without a name", "c", []fabricstub.Event{{Name: "a"}, {Payload: []byte("x")}}, "event 1 has no name"},
		{"no chaincode event name", "", []fabricstub.Event{{Name: "a"}}, "chaincode event name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPeer(t, func(stub shim.ChaincodeStubInterface) *pb.Response {
				if err := fabricstub.SetEvents(stub, tt.evName, tt.events); err != nil {
					return errResp(err)
				}
				return shim.Success(nil)
			}, peertest.Options{})
			res, err := p.Submit(peertest.Proposal{Creator: client, Args: byteArgs("x")})
			if err != nil {
				t.Fatal(err)
			}
			if res.OK() || !strings.Contains(res.Response.Message, tt.want) || res.Event != nil {
				t.Errorf("got %d %q event %v, want error %q and no event", res.Response.Status, res.Response.Message, res.Event, tt.want)
			}
		})
	}
}

func TestDecodeEvents_Errors(t *testing.T) {
	for _, in := range []string{`{}`, `[{"payload":1}]`, `not json`} {
		if _, err := fabricstub.DecodeEvents([]byte(in)); err == nil {
			t.Errorf("DecodeEvents(%s) succeeded", in)
		}
	}
}
