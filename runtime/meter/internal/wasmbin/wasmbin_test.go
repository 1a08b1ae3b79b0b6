package wasmbin

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var limits = Limits{MaxFunctionLocals: 1000, MaxModuleLocals: 10000}

func testModules(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("../../testdata/*.wasm")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test modules: %v", err)
	}
	mods := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mods[filepath.Base(f)] = b
	}
	return mods
}

// module assembles a module from sections given as id followed by payload bytes.
func module(sections ...[]byte) []byte {
	out := bytes.Clone(Header)
	for _, s := range sections {
		out = AppendSection(out, s[0], s[1:])
	}
	return out
}

func TestScan(t *testing.T) {
	for name, b := range testModules(t) {
		t.Run(name, func(t *testing.T) {
			l, err := Scan(b, limits)
			if err != nil {
				t.Fatal(err)
			}
			end := len(Header)
			for _, s := range l.Sections {
				if s.Start != end || s.End > len(b) || s.Payload > s.End {
					t.Fatalf("section %d spans %d..%d after %d", s.ID, s.Start, s.End, end)
				}
				end = s.End
			}
			if end != len(b) {
				t.Errorf("sections end at %d of %d bytes", end, len(b))
			}
			if _, err := Decode(b, l); err != nil {
				t.Errorf("Decode: %v", err)
			}
		})
	}
	l, err := Scan(testModules(t)["control.wasm"], limits)
	if err != nil {
		t.Fatal(err)
	}
	if !l.HasDataCount || l.DataCount != 1 || l.MaxFuncRef != 3 || l.MaxTableRef != 0 || l.MaxGlobalRef != -1 {
		t.Errorf("control.wasm: data count %v %d, max refs func %d table %d global %d",
			l.HasDataCount, l.DataCount, l.MaxFuncRef, l.MaxTableRef, l.MaxGlobalRef)
	}
}

func TestScan_Errors(t *testing.T) {
	tests := []struct {
		name string
		wasm []byte
		lim  Limits
		want string
	}{
		{"short", []byte{0, 'a', 's'}, limits, "bad magic number"},
		{"version", append([]byte("\x00asm"), 1, 0, 0, 1), limits, "unsupported WebAssembly version"},
		{"section overrun", append(bytes.Clone(Header), 1, 10, 0), limits, "overruns the module"},
		{"section size truncated", append(bytes.Clone(Header), 1, 0x80), limits, "unexpected end"},
		{"unknown section", module([]byte{13}), limits, "unknown section id 13"},
		{"out of order", module([]byte{3, 0}, []byte{1, 0}), limits, "section type at offset 11 is duplicated or out of order"},
		{"duplicate", module([]byte{1, 0}, []byte{1, 0}), limits, "duplicated or out of order"},
		{"data count before element", module([]byte{12, 0}, []byte{9, 0}), limits, "out of order"},
		{"content short of size", module([]byte{1, 0, 0}), limits, "2 bytes of content, 1 used"},
		{"type count bomb", module([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f}), limits, "count 4294967295 exceeds"},
		{"param count bomb", module([]byte{1, 1, 0x60, 0xff, 0xff, 0xff, 0x0f}), limits, "count 33554431 exceeds"},
		{"not a function type", module([]byte{1, 1, 0x50, 0, 0}), limits, "must start with 0x60"},
		{"import name bomb", module([]byte{2, 1, 0xff, 0xff, 0xff, 0xff, 0x0f}), limits, "exceeds"},
		{"import kind", module([]byte{2, 1, 1, 'm', 1, 'n', 9}), limits, "invalid import kind 0x09"},
		{"shared memory", module([]byte{5, 1, 3, 1, 1}), limits, "unsupported limits flag 0x03"},
		{"global init two instructions", module([]byte{6, 1, 0x7f, 0, 0x41, 0, 0x41, 0, 0x0b}), limits, "one instruction followed by end"},
		{"global init opcode", module([]byte{6, 1, 0x7f, 0, 0x6a, 0x0b}), limits, "unsupported constant expression opcode 0x6a"},
		{"element prefix", module([]byte{9, 1, 8, 0}), limits, "invalid element segment prefix 8"},
		{"element vector bomb", module([]byte{9, 1, 1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}), limits, "exceeds"},
		{"data prefix", module([]byte{11, 1, 3, 0}), limits, "invalid data segment prefix 3"},
		{"data bytes bomb", module([]byte{11, 1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f}), limits, "exceeds"},
		{"code size bomb", module([]byte{10, 1, 0xff, 0xff, 0xff, 0xff, 0x0f}), limits, "exceeds"},
		{"locals bomb", module([]byte{10, 1, 7, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x0b}), limits, "too many locals: more than 1000 in one function"},
		{"locals per module", module([]byte{10, 3, 5, 1, 0x90, 0x03, 0x7f, 0x0b, 5, 1, 0x90, 0x03, 0x7f, 0x0b, 5, 1, 0x90, 0x03, 0x7f, 0x0b}), Limits{MaxFunctionLocals: 1000, MaxModuleLocals: 1000}, "more than 1000 in the module"},
		{"bad local type", module([]byte{10, 1, 4, 1, 1, 0x01, 0x0b}), limits, "invalid local type 0x01"},
		{"body without end", module([]byte{10, 1, 2, 0, 0x01}), limits, "must end with end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Scan(tc.wasm, tc.lim)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestSplice_Identity: with nothing replaced, splicing gives the module back byte for byte.
func TestSplice_Identity(t *testing.T) {
	for name, b := range testModules(t) {
		l, err := Scan(b, limits)
		if err != nil {
			t.Fatal(err)
		}
		if out := Splice(b, l, nil, func(string) bool { return true }); !bytes.Equal(out, b) {
			t.Errorf("%s: splice changed the module", name)
		}
	}
}

// TestSplice places new sections in order and drops custom sections on request.
func TestSplice(t *testing.T) {
	b := module([]byte{0, 1, 'a'}, []byte{1, 0}, []byte{0, 1, 'b'}, []byte{10, 0}, []byte{0, 1, 'c'})
	l, err := Scan(b, limits)
	if err != nil {
		t.Fatal(err)
	}
	out := Splice(b, l, map[byte][]byte{
		SectionType:   {1, 0x60, 0, 0},
		SectionGlobal: {0},
		SectionExport: {0},
	}, func(name string) bool { return name != "b" })
	got, err := Scan(out, limits)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, s := range got.Sections {
		if s.ID == SectionCustom {
			order = append(order, s.Name)
		} else {
			order = append(order, SectionName(s.ID))
		}
	}
	if want := "a,type,global,export,code,c"; strings.Join(order, ",") != want {
		t.Errorf("sections %s, want %s", strings.Join(order, ","), want)
	}
	if s := got.Find(SectionType); !bytes.Equal(out[s.Payload:s.End], []byte{1, 0x60, 0, 0}) {
		t.Errorf("type payload % x", out[s.Payload:s.End])
	}
}

func TestExtendVector(t *testing.T) {
	tests := []struct {
		orig  []byte
		n     int
		extra []byte
		want  []byte
	}{
		{nil, 2, []byte{7, 8}, []byte{2, 7, 8}},
		{[]byte{1, 5}, 1, []byte{6}, []byte{2, 5, 6}},
		{append([]byte{0xff, 0x00}, make([]byte, 127)...), 1, []byte{9}, append(append([]byte{0x80, 0x01}, make([]byte, 127)...), 9)},
	}
	for _, tc := range tests {
		if got := ExtendVector(tc.orig, tc.n, tc.extra); !bytes.Equal(got, tc.want) {
			t.Errorf("ExtendVector(% x, %d, % x) = % x, want % x", tc.orig, tc.n, tc.extra, got, tc.want)
		}
	}
}

func TestAppendCode(t *testing.T) {
	tests := []struct {
		locals []byte
		want   []byte
	}{
		{nil, []byte{3, 0, 0x01, 0x0b}},
		{[]byte{0x7f, 0x7f, 0x7e, 0x7f}, []byte{9, 3, 2, 0x7f, 1, 0x7e, 1, 0x7f, 0x01, 0x0b}},
	}
	for _, tc := range tests {
		if got := AppendCode(nil, tc.locals, []byte{0x01, 0x0b}); !bytes.Equal(got, tc.want) {
			t.Errorf("AppendCode(% x) = % x, want % x", tc.locals, got, tc.want)
		}
	}
	// What AppendCode writes, Scan and wabin read back.
	code := AppendCode([]byte{1}, []byte{0x7f, 0x7f, 0x7e}, []byte{0x0b})
	b := module([]byte{1, 1, 0x60, 0, 0}, []byte{3, 1, 0}, append([]byte{10}, code...))
	l, err := Scan(b, limits)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(b, l)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.CodeSection[0].LocalTypes; !bytes.Equal(got, []byte{0x7f, 0x7f, 0x7e}) {
		t.Errorf("locals decode as % x", got)
	}
}
