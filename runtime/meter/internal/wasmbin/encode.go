package wasmbin

import (
	"sort"

	"github.com/medledger/medledger/runtime/meter/internal/wasmcode"
)

// AppendSection appends a section with the id and payload to dst.
func AppendSection(dst []byte, id byte, payload []byte) []byte {
	dst = append(dst, id)
	dst = wasmcode.AppendU32(dst, uint32(len(payload)))
	return append(dst, payload...)
}

// ExtendVector returns a vector payload holding the entries of orig, a vector payload from a
// scanned module (nil for none), followed by n more entries already encoded in extra.
func ExtendVector(orig []byte, n int, extra []byte) []byte {
	var count uint32
	rest := orig
	if len(orig) > 0 {
		c, size, _ := wasmcode.ReadU32(orig, 0) // the scan proved it well formed
		count, rest = c, orig[size:]
	}
	out := wasmcode.AppendU32(make([]byte, 0, 5+len(rest)+len(extra)), count+uint32(n))
	out = append(out, rest...)
	return append(out, extra...)
}

// AppendCode appends one code section entry: its size, the locals run-length encoded, the body.
func AppendCode(dst []byte, locals []byte, body []byte) []byte {
	var decl []byte
	groups := uint32(0)
	for i := 0; i < len(locals); {
		j := i
		for j < len(locals) && locals[j] == locals[i] {
			j++
		}
		decl = wasmcode.AppendU32(decl, uint32(j-i))
		decl = append(decl, locals[i])
		groups++
		i = j
	}
	head := wasmcode.AppendU32(nil, groups)
	dst = wasmcode.AppendU32(dst, uint32(len(head)+len(decl)+len(body)))
	dst = append(dst, head...)
	dst = append(dst, decl...)
	return append(dst, body...)
}

// Splice re-encodes the module b (which passed Scan with layout l): sections whose id is a key
// of payloads get that payload (and are added in their proper place if b lacks them); custom
// sections for which keep returns false are dropped; everything else is copied byte for byte
// in its original order.
func Splice(b []byte, l *Layout, payloads map[byte][]byte, keep func(name string) bool) []byte {
	present := map[byte]bool{}
	for _, s := range l.Sections {
		present[s.ID] = true
	}
	var added []byte
	for id := range payloads {
		if !present[id] {
			added = append(added, id)
		}
	}
	sort.Slice(added, func(i, j int) bool { return order[added[i]] < order[added[j]] })

	out := make([]byte, 0, len(b)+len(b)/4)
	out = append(out, Header...)
	flush := func(rank int) {
		for len(added) > 0 && order[added[0]] < rank {
			out = AppendSection(out, added[0], payloads[added[0]])
			added = added[1:]
		}
	}
	for _, s := range l.Sections {
		switch p, ok := payloads[s.ID]; {
		case s.ID == SectionCustom:
			if keep(s.Name) {
				out = append(out, b[s.Start:s.End]...)
			}
		case ok:
			flush(order[s.ID])
			out = AppendSection(out, s.ID, p)
		default:
			flush(order[s.ID])
			out = append(out, b[s.Start:s.End]...)
		}
	}
	flush(len(order) + 1)
	return out
}
