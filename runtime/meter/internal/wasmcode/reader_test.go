package wasmcode

import (
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	tests := []struct {
		name   string
		body   []byte
		kind   Kind
		class  Class
		end    int
		refs   []Ref
		labels []uint32
		block  BlockType
	}{
		{"i32.add", []byte{0x6a}, KindOther, ClassPlain, 1, nil, nil, BlockType{}},
		{"i32.div_s", []byte{0x6d}, KindOther, ClassDivision, 1, nil, nil, BlockType{}},
		{"block empty", []byte{0x02, 0x40}, KindBlock, ClassFree, 2, nil, nil, BlockType{Kind: BlockEmpty}},
		{"loop i64", []byte{0x03, 0x7e}, KindLoop, ClassFree, 2, nil, nil, BlockType{Kind: BlockValue, Value: 0x7e}},
		{"if typed", []byte{0x04, 0x05}, KindIf, ClassBranch, 2, []Ref{{SpaceType, 5}}, nil, BlockType{Kind: BlockIndex, Index: 5}},
		{"br_if", []byte{0x0d, 0x03}, KindBrIf, ClassBranch, 2, nil, nil, BlockType{}},
		{"br_table", []byte{0x0e, 0x02, 0x00, 0x01, 0x02}, KindBrTable, ClassBranch, 5, nil, []uint32{0, 1, 2}, BlockType{}},
		{"call", []byte{0x10, 0x80, 0x01}, KindCall, ClassCall, 3, []Ref{{SpaceFunc, 128}}, nil, BlockType{}},
		{"call_indirect", []byte{0x11, 0x02, 0x00}, KindCallIndirect, ClassCallIndirect, 3, []Ref{{SpaceType, 2}, {SpaceTable, 0}}, nil, BlockType{}},
		{"typed select", []byte{0x1c, 0x01, 0x7f}, KindSelect, ClassPlain, 3, nil, nil, BlockType{}},
		{"local.tee", []byte{0x22, 0x07}, KindOther, ClassPlain, 2, []Ref{{SpaceLocal, 7}}, nil, BlockType{}},
		{"global.set", []byte{0x24, 0x01}, KindOther, ClassPlain, 2, []Ref{{SpaceGlobal, 1}}, nil, BlockType{}},
		{"i64.load", []byte{0x29, 0x03, 0x80, 0x02}, KindOther, ClassMemory, 4, nil, nil, BlockType{}},
		{"memory.grow", []byte{0x40, 0x00}, KindMemoryGrow, ClassMemoryGrow, 2, []Ref{{SpaceMemory, 0}}, nil, BlockType{}},
		{"i32.const", []byte{0x41, 0x80, 0x80, 0x80, 0x80, 0x78}, KindOther, ClassPlain, 6, nil, nil, BlockType{}},
		{"i64.const", []byte{0x42, 0x7f}, KindOther, ClassPlain, 2, nil, nil, BlockType{}},
		{"f64.const", []byte{0x44, 1, 2, 3, 4, 5, 6, 7, 8}, KindOther, ClassPlain, 9, nil, nil, BlockType{}},
		{"ref.null", []byte{0xd0, 0x70}, KindOther, ClassPlain, 2, nil, nil, BlockType{}},
		{"ref.func", []byte{0xd2, 0x04}, KindOther, ClassPlain, 2, []Ref{{SpaceFunc, 4}}, nil, BlockType{}},
		{"trunc_sat", []byte{0xfc, 0x07}, KindOther, ClassPlain, 2, nil, nil, BlockType{}},
		{"memory.init", []byte{0xfc, 0x08, 0x01, 0x00}, KindBulkMemory, ClassBulkMemory, 4, []Ref{{SpaceData, 1}, {SpaceMemory, 0}}, nil, BlockType{}},
		{"memory.copy", []byte{0xfc, 0x0a, 0x00, 0x00}, KindBulkMemory, ClassBulkMemory, 4, []Ref{{SpaceMemory, 0}, {SpaceMemory, 0}}, nil, BlockType{}},
		{"memory.fill", []byte{0xfc, 0x0b, 0x00}, KindBulkMemory, ClassBulkMemory, 3, []Ref{{SpaceMemory, 0}}, nil, BlockType{}},
		{"table.init", []byte{0xfc, 0x0c, 0x02, 0x01}, KindBulkTable, ClassBulkTable, 4, []Ref{{SpaceElem, 2}, {SpaceTable, 1}}, nil, BlockType{}},
		{"table.copy", []byte{0xfc, 0x0e, 0x00, 0x01}, KindBulkTable, ClassBulkTable, 4, []Ref{{SpaceTable, 0}, {SpaceTable, 1}}, nil, BlockType{}},
		{"table.grow", []byte{0xfc, 0x0f, 0x00}, KindBulkTable, ClassBulkTable, 3, []Ref{{SpaceTable, 0}}, nil, BlockType{}},
		{"table.size", []byte{0xfc, 0x10, 0x00}, KindOther, ClassPlain, 3, []Ref{{SpaceTable, 0}}, nil, BlockType{}},
	}
	var in Instr
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := append([]byte{0x01}, tc.body...) // after a nop, to check offsets
			end, err := Read(body, 1, &in)
			if err != nil {
				t.Fatal(err)
			}
			if end != tc.end+1 || in.Start != 1 || in.End != end {
				t.Errorf("end %d, start %d, End %d; want end %d", end, in.Start, in.End, tc.end+1)
			}
			if in.Kind != tc.kind || in.Class != tc.class {
				t.Errorf("kind %d class %d, want %d %d", in.Kind, in.Class, tc.kind, tc.class)
			}
			if got := in.Refs[:in.NRefs]; len(got) != len(tc.refs) || (len(got) > 0 && (got[0] != tc.refs[0] || got[len(got)-1] != tc.refs[len(got)-1])) {
				t.Errorf("refs %v, want %v", got, tc.refs)
			}
			if len(in.Labels) != len(tc.labels) || in.Block != tc.block {
				t.Errorf("labels %v block %+v, want %v %+v", in.Labels, in.Block, tc.labels, tc.block)
			}
		})
	}
}

func TestRead_Errors(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"empty", nil, "unexpected end"},
		{"unknown", []byte{0xc5}, "unknown instruction 0xc5"},
		{"simd", []byte{0xfd, 0x0c}, "SIMD"},
		{"threads", []byte{0xfe, 0x00}, "threads"},
		{"tail call", []byte{0x12, 0x00}, "tail calls"},
		{"exceptions", []byte{0x08, 0x00}, "exception handling"},
		{"unknown 0xfc", []byte{0xfc, 0x12}, "unsupported instruction 0xfc 18"},
		{"truncated call", []byte{0x10, 0x80}, "unexpected end"},
		{"truncated f32", []byte{0x43, 0x00, 0x00}, "unexpected end"},
		{"memory index not zero", []byte{0x3f, 0x01}, "must be the single byte 0x00"},
		{"memory index padded", []byte{0x40, 0x80, 0x00}, "must be the single byte 0x00"},
		{"multi-memory memarg", []byte{0x28, 0x40, 0x00, 0x00}, "multiple memories"},
		{"br_table count bomb", []byte{0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00}, "exceeds the function body"},
		{"typed select two types", []byte{0x1c, 0x02, 0x7f, 0x7f}, "exactly one type"},
		{"typed select bad type", []byte{0x1c, 0x01, 0x01}, "invalid value type"},
		{"ref.null bad type", []byte{0xd0, 0x7f}, "invalid reference type"},
		{"negative block type", []byte{0x02, 0x41}, "invalid block type"},
		{"overlong i32.const", []byte{0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, "overflows"},
	}
	var in Instr
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Read(tc.body, 0, &in); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
