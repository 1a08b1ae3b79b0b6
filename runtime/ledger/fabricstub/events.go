package fabricstub

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// Event is one event a contract call emitted.
type Event struct {
	Name    string
	Payload []byte
}

// eventJSON is one event in a combined Fabric event payload: the payload inline when it is JSON (so event
// consumers read it as is), else base64.
type eventJSON struct {
	Name          string          `json:"name"`
	Payload       json.RawMessage `json:"payload,omitempty"`
	PayloadBase64 []byte          `json:"payloadBase64,omitempty"`
}

// CombineEvents encodes events as the payload of one Fabric chaincode event: a JSON array of
// {"name": N, "payload": <JSON>} (or "payloadBase64" for a payload that is not JSON), in emission order.
//
// # Errors
//
// An event has no name.
func CombineEvents(events []Event) ([]byte, error) {
	out := make([]eventJSON, len(events))
	for i, ev := range events {
		if ev.Name == "" {
			return nil, fmt.Errorf("event %d has no name", i)
		}
		out[i].Name = ev.Name
		switch {
		case len(ev.Payload) == 0:
		case json.Valid(ev.Payload):
			out[i].Payload = json.RawMessage(ev.Payload)
		default:
			out[i].PayloadBase64 = ev.Payload
		}
	}
	return json.Marshal(out)
}

// DecodeEvents is the inverse of CombineEvents, for event consumers.
//
// # Errors
//
// payload is not a combined event payload.
func DecodeEvents(payload []byte) ([]Event, error) {
	var in []eventJSON
	if err := json.Unmarshal(payload, &in); err != nil {
		return nil, fmt.Errorf("combined event payload: %w", err)
	}
	out := make([]Event, len(in))
	for i, ev := range in {
		if ev.Name == "" {
			return nil, fmt.Errorf("combined event payload: event %d has no name", i)
		}
		out[i] = Event{Name: ev.Name, Payload: ev.PayloadBase64}
		if len(ev.Payload) > 0 {
			out[i].Payload = []byte(ev.Payload)
		}
	}
	return out, nil
}

// SetEvents sets the transaction's one chaincode event (Fabric keeps one per transaction) to all of events,
// combined under name (see CombineEvents). No events set nothing.
//
// # Errors
//
// name is empty while there are events, an event has no name.
func SetEvents(stub shim.ChaincodeStubInterface, name string, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	if name == "" {
		return errors.New("chaincode event name is empty")
	}
	payload, err := CombineEvents(events)
	if err != nil {
		return err
	}
	return stub.SetEvent(name, payload)
}
