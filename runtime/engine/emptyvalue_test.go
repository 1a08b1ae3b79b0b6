package engine_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// recordingState is a ledger.Memory that also records which write methods the engine called, so a test can see
// what any State (a Fabric stub included) receives.
type recordingState struct {
	*ledger.Memory
	calls []string
}

func (s *recordingState) PutState(k string, v []byte) error {
	s.calls = append(s.calls, "PutState "+k)
	return s.Memory.PutState(k, v)
}

func (s *recordingState) DelState(k string) error {
	s.calls = append(s.calls, "DelState "+k)
	return s.Memory.DelState(k)
}

func (s *recordingState) PutPrivateData(c, k string, v []byte) error {
	s.calls = append(s.calls, "PutPrivateData "+c+" "+k)
	return s.Memory.PutPrivateData(c, k, v)
}

func (s *recordingState) DelPrivateData(c, k string) error {
	s.calls = append(s.calls, "DelPrivateData "+c+" "+k)
	return s.Memory.DelPrivateData(c, k)
}

// TestContract_Call_EmptyValue: state_put and private_put of an empty value are deletes, as on a Fabric peer: the
// call's own reads and ranges no longer see the key, the State receives DelState/DelPrivateData, and the key is
// gone after commit.
func TestContract_Call_EmptyValue(t *testing.T) {
	const coll = "_implicit_org_Hospital1MSP"
	tests := []struct {
		name, fn, args string
		want           string   // output
		calls          []string // write methods the State received
		gone           string   // public key absent after commit ("" = check the private key)
	}{
		{"own read sees a delete", "putfound", `{"key":"e","value":""}`, "absent", []string{"DelState ns/consent/e"}, "ns/consent/e"},
		{"non-empty still a put", "putfound", `{"key":"e","value":"2"}`, "found:2", []string{"PutState ns/consent/e"}, ""},
		{"own range skips it", "putrange", `{"key":"e","value":"","start":"a","end":"z"}`, `{"Entries":[{"Key":"f","Value":"MQ=="}],"Bookmark":""}`,
			[]string{"DelState ns/consent/e"}, "ns/consent/e"},
		{"private", "pput", `{"coll":"` + coll + `","key":"p","value":""}`, "", []string{"DelPrivateData " + coll + " ns/consent/p"}, ""},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode.String()+"/"+tt.name, func(t *testing.T) {
				c := goContract(t, "consent", engine.ContractConfig{Isolation: mode})
				st := &recordingState{Memory: ledger.NewMemory()}
				_ = st.Memory.PutState("ns/consent/e", []byte("1"))
				_ = st.Memory.PutState("ns/consent/f", []byte("1"))
				_ = st.Memory.PutPrivateData(coll, "ns/consent/p", []byte("1"))
				if _, err := st.Commit(); err != nil {
					t.Fatal(err)
				}
				res, err := c.Call(context.Background(), engine.Call{Function: tt.fn, Args: []byte(tt.args), State: st})
				if err != nil {
					t.Fatal(err)
				}
				got := string(res.Output)
				if tt.fn == "putrange" { // compare as JSON
					var a, b any
					_ = json.Unmarshal(res.Output, &a)
					_ = json.Unmarshal([]byte(tt.want), &b)
					if reflect.DeepEqual(a, b) {
						got = tt.want
					}
				}
				if got != tt.want {
					t.Errorf("output = %s, want %s", res.Output, tt.want)
				}
				if !reflect.DeepEqual(st.calls, tt.calls) {
					t.Errorf("State received %v, want %v", st.calls, tt.calls)
				}
				if _, err := st.Commit(); err != nil {
					t.Fatal(err)
				}
				if tt.gone != "" {
					if v, _, ok := st.Get(tt.gone); ok {
						t.Errorf("%s = %q after an empty put, want absent", tt.gone, v)
					}
				}
				if tt.fn == "pput" {
					if v, _, ok := st.GetPrivate(coll, "ns/consent/p"); ok {
						t.Errorf("private p = %q after an empty put, want absent", v)
					}
				}
			})
		}
	}
}
