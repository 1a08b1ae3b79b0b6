package sdk

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

type greetArgs struct {
	Name  string `json:"name"`
	Times int    `json:"times,omitempty"`
}

// newTestRegistry returns a registry with the handlers the dispatch tests call; none needs the host.
func newTestRegistry(t *testing.T) *registry {
	t.Helper()
	r := &registry{handlers: map[string]entry{}}
	add := func(name string, fn handler) { r.add(name, fn) }
	add("greet", typed("greet", func(ctx Context, a greetArgs) (string, error) {
		if a.Name == "" {
			return "", NewError(InvalidArgument, "name is required")
		}
		return strings.Repeat("hello "+a.Name+"! ", max(a.Times, 1)), nil
	}))
	add("whoami", typed("whoami", func(ctx Context, _ struct{}) (string, error) { return ctx.Function(), nil }))
	add("echo", func(_ Context, args []byte) ([]byte, error) { return args, nil })
	add("nilerr", typed("nilerr", func(Context, struct{}) (int, error) {
		var e *Error // a helper returning *Error that found nothing wrong
		return 7, e
	}))
	add("plainerr", func(Context, []byte) ([]byte, error) { return nil, fmt.Errorf("disk of the past is full") })
	add("emptyerr", func(Context, []byte) ([]byte, error) { return nil, fmt.Errorf("") })
	add("panics", func(Context, []byte) ([]byte, error) { panic("dose table missing") })
	add("panicserr", func(Context, []byte) ([]byte, error) { panic(NewError(FailedPrecondition, "consent revoked")) })
	add("nilmap", func(Context, []byte) ([]byte, error) {
		var m map[string]int
		m["x"] = 1 //nolint:staticcheck // SA5000: this handler exists to raise a runtime panic
		return nil, nil
	})
	add("badresult", typed("badresult", func(Context, struct{}) (chan int, error) { return make(chan int), nil }))
	add("host", func(ctx Context, _ []byte) ([]byte, error) {
		v, _ := ctx.GetState("k") // panics on the host build: no medledger host
		return v, nil
	})
	return r
}

func TestRegistry_Dispatch(t *testing.T) {
	r := newTestRegistry(t)
	tests := []struct {
		name, fn, args, want string
	}{
		{"typed JSON", "greet", `{"name":"ada"}`, `"hello ada! "`},
		{"typed JSON, whitespace", "greet", " {\"name\":\"ada\",\"times\":2}\n ", `"hello ada! hello ada! "`},
		{"empty args decode to zero value", "whoami", ``, `"whoami"`},
		{"null args", "whoami", `null`, `"whoami"`},
		{"raw bytes pass through", "echo", "\x00\xffnot json", "\x00\xffnot json"},
		{"raw empty", "echo", ``, ``},
		{"typed nil *Error is success", "nilerr", ``, `7`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := r.dispatch([]byte(tt.fn), []byte(tt.args))
			if err != nil {
				t.Fatalf("dispatch(%q, %q): %v", tt.fn, tt.args, err)
			}
			if string(out) != tt.want {
				t.Errorf("dispatch(%q, %q) = %q, want %q", tt.fn, tt.args, out, tt.want)
			}
		})
	}
}

func TestRegistry_Dispatch_Errors(t *testing.T) {
	r := newTestRegistry(t)
	tests := []struct {
		name, fn, args, want string
	}{
		{"unknown function", "gret", `{}`, `unknown function "gret"`},
		{"unknown function, hostile name", "a\"\x00", ``, `unknown function "a\"\x00"`},
		{"invalid JSON", "greet", `{"name":`, `invalid_argument: cannot decode arguments of "greet": unexpected EOF`},
		{"wrong type", "greet", `{"name":1}`, `invalid_argument: cannot decode arguments of "greet": json: cannot unmarshal number into Go struct field greetArgs.name of type string`},
		{"unknown field", "greet", `{"nme":"ada"}`, `invalid_argument: cannot decode arguments of "greet": json: unknown field "nme"`},
		{"trailing data", "greet", `{"name":"a"} {}`, `invalid_argument: cannot decode arguments of "greet": unexpected data after the JSON value`},
		{"trailing garbage", "greet", `{"name":"a"}x`, `invalid_argument: cannot decode arguments of "greet": unexpected data after the JSON value`},
		{"invalid UTF-8", "greet", "{\"name\":\"\xff\"}", `invalid_argument: cannot decode arguments of "greet": not valid UTF-8`},
		{"handler *Error", "greet", `{}`, `invalid_argument: name is required`},
		{"handler plain error", "plainerr", ``, `disk of the past is full`},
		{"handler empty error", "emptyerr", ``, `contract error (the contract gave no message)`},
		{"panic", "panics", ``, `panic in "panics": dose table missing`},
		{"panic with *Error", "panicserr", ``, `failed_precondition: consent revoked`},
		{"runtime panic", "nilmap", ``, `panic in "nilmap": assignment to entry in nil map`},
		{"unencodable result", "badresult", ``, `internal: cannot encode result of "badresult": json: unsupported type: chan int`},
		{"host function on the host build", "host", ``, `panic in "host": plugins/sdk: the medledger host functions exist only in a GOOS=wasip1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := r.dispatch([]byte(tt.fn), []byte(tt.args))
			if err == nil {
				t.Fatalf("dispatch(%q, %q) = %q, want an error containing %q", tt.fn, tt.args, out, tt.want)
			}
			if msg := errorMessage(err); !strings.HasPrefix(msg, tt.want) {
				t.Errorf("dispatch(%q, %q) error = %q, want prefix %q", tt.fn, tt.args, msg, tt.want)
			}
			if out != nil {
				t.Errorf("dispatch returned output %q with the error", out)
			}
		})
	}
}

func TestRegistry_Dispatch_resetsCallState(t *testing.T) {
	r := newTestRegistry(t)
	r.call = callState{function: "stale", txID: "old-tx", caller: &Identity{MSPID: "Old"}}
	if _, err := r.dispatch([]byte("greet"), []byte(`{"name":"x"}`)); err != nil {
		t.Fatal(err)
	}
	if want := (callState{function: "greet"}); !reflect.DeepEqual(r.call, want) {
		t.Errorf("call state after dispatch = %+v, want %+v (nothing cached from an earlier call)", r.call, want)
	}
}

func TestRegistry_Add_Errors(t *testing.T) {
	ok := func(Context, []byte) ([]byte, error) { return nil, nil }
	tests := []struct {
		name, fn string
		h        handler
		want     string
	}{
		{"empty name", "", ok, "sdk: Register: empty function name"},
		{"long name", strings.Repeat("f", MaxFunctionName+1), ok, "is 129 bytes, longer than 128"},
		{"nil handler", "x", nil, `sdk: Register("x"): nil handler`},
		{"nil typed handler", "x", typed[struct{}, int]("x", nil), `sdk: Register("x"): nil handler`},
		{"duplicate", "greet", ok, `sdk: Register("greet"): function registered twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRegistry(t)
			before := len(r.handlers)
			func() {
				defer func() {
					p := recover()
					if msg, _ := p.(string); !strings.Contains(msg, tt.want) {
						t.Errorf("add panicked with %v, want a message containing %q", p, tt.want)
					}
				}()
				r.add(tt.fn, tt.h)
			}()
			if len(r.handlers) != before {
				t.Errorf("a refused registration changed the registry: %d handlers, want %d", len(r.handlers), before)
			}
			if out, err := r.dispatch([]byte("greet"), []byte(`{"name":"a"}`)); err != nil || string(out) != `"hello a! "` {
				t.Errorf("greet after a refused registration = %q, %v", out, err)
			}
		})
	}
	// A name of exactly the limit is fine.
	r := newTestRegistry(t)
	r.add(strings.Repeat("f", MaxFunctionName), ok)
}
