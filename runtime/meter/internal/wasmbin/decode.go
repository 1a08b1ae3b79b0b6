package wasmbin

import (
	"errors"
	"fmt"

	"github.com/tetratelabs/wabin/binary"
	"github.com/tetratelabs/wabin/wasm"
)

// ErrDecoderPanic marks an error recovered from a panic inside wabin. Scan exists so that this
// never happens; the fuzz tests assert it.
var ErrDecoderPanic = errors.New("internal error: wasm decoder panicked")

// Features are the core features wabin decodes with: WebAssembly 2.0. SIMD instructions are
// refused later by the instruction decoder.
const Features = wasm.CoreFeaturesV2

// Decode decodes the sections of b the instrumenter reads — all but custom and data sections,
// which it copies untouched — with wabin. b must have passed Scan, which returned l.
//
// # Errors
//
//   - any error wabin reports (invalid value types, mismatched function and code counts, ...).
//   - ErrDecoderPanic (wrapped) if wabin panics despite the scan.
func Decode(b []byte, l *Layout) (m *wasm.Module, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%w: %v", ErrDecoderPanic, r)
		}
	}()
	stripped := make([]byte, 0, len(b))
	stripped = append(stripped, Header...)
	for _, s := range l.Sections {
		if s.ID != SectionCustom && s.ID != SectionData {
			stripped = append(stripped, b[s.Start:s.End]...)
		}
	}
	return binary.DecodeModule(stripped, Features)
}
