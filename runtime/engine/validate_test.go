package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/medledger/medledger/runtime/engine"
)

func TestEngine_Validate(t *testing.T) {
	e := sharedEngine(t)
	info, err := e.Validate(watModule(t, "ok"))
	if err != nil {
		t.Fatal(err)
	}
	if info.ABIVersion != 1 || info.MemoryMinPages != 1 || info.HasInitialize || len(info.SHA256) != 64 ||
		strings.Join(info.Imports, ",") != "medledger.state_put,medledger.result_set" {
		t.Fatalf("info = %+v", info)
	}
	ginfo, err := e.Validate(guest(t))
	if err != nil {
		t.Fatal(err)
	}
	if !ginfo.HasInitialize || ginfo.MutableGlobals == 0 || ginfo.Functions < 1000 {
		t.Fatalf("guest info = %+v", ginfo)
	}
}

func TestEngine_Validate_Errors(t *testing.T) {
	ok := watModule(t, "ok")
	tests := []struct {
		name   string
		wasm   []byte
		reason engine.ValidationReason
		substr string
	}{
		{"empty", nil, engine.ReasonNotWasm, "not WebAssembly"},
		{"not wasm", []byte("PK\x03\x04 a zip file"), engine.ReasonNotWasm, "does not start with \\0asm"},
		{"wrong version", append([]byte("\x00asm\x02\x00\x00\x00"), ok[8:]...), engine.ReasonNotWasm, "binary format version 02000000"},
		{"header only truncated", ok[:6], engine.ReasonMalformed, "truncated: 6 bytes"},
		{"truncated", ok[:len(ok)/2], engine.ReasonMalformed, "truncated"},
		{"too big", append(append([]byte{}, ok...), make([]byte, 17<<20)...), engine.ReasonTooBig, "limit 16777216"},
		{"forbidden WASI import", watModule(t, "forbidden_wasi"), engine.ReasonForbiddenImport,
			"import wasi_snapshot_preview1.sock_accept is not allowed (allowed: medledger.*"},
		{"forbidden module", watModule(t, "forbidden_env"), engine.ReasonForbiddenImport, "import env.now is not allowed"},
		{"wrong import type", watModule(t, "bad_signature"), engine.ReasonForbiddenImport,
			"import medledger.state_get has type (i32) -> (i32), want (i32, i32) -> (i64)"},
		{"imported global", watModule(t, "import_global"), engine.ReasonForbiddenImport, "import medledger.gas is a global"},
		{"no invoke", watModule(t, "no_invoke"), engine.ReasonMissingExport, `does not export "invoke"`},
		{"invoke wrong type", watModule(t, "invoke_type"), engine.ReasonMissingExport, `export "invoke" has type (i32) -> (i32), want () -> (i32)`},
		{"no ABI marker", watModule(t, "no_marker"), engine.ReasonABIVersion, `no ABI marker export "medledger_abi_v1"`},
		{"wrong ABI marker", watModule(t, "abi_v2"), engine.ReasonABIVersion, `declares ABI "medledger_abi_v2"`},
		{"memory not exported", watModule(t, "no_memory_export"), engine.ReasonMissingExport, `does not export its memory as "memory"`},
		{"no memory", watModule(t, "no_memory"), engine.ReasonMemory, "defines no memory"},
		{"imported memory", watModule(t, "import_memory"), engine.ReasonForbiddenImport, "import env.memory is a memory"},
		{"shared memory", watModule(t, "shared_memory"), engine.ReasonThreads, "memory 0 is shared"},
		{"memory above limit", watModule(t, "big_memory"), engine.ReasonMemory, "1000 initial pages (64000 KiB), limit 512 pages"},
		{"start section", watModule(t, "start"), engine.ReasonStartFunction, "start section"},
		{"WASI command", watModule(t, "command"), engine.ReasonStartFunction, `exports "_start"`},
		{"reserved export", watModule(t, "reserved_export"), engine.ReasonReserved, `export "medledger_gas_left" uses the prefix "medledger_"`},
		{"threads instruction", watModule(t, "atomics"), engine.ReasonMetering, "unsupported instruction prefix 0xfe (threads)"},
		// Hostile sizes: each would make a naive decoder allocate gigabytes from a few bytes.
		{"huge vector count", rawModule(section(1, 0xff, 0xff, 0xff, 0xff, 0x0f)), engine.ReasonMalformed,
			"type section at offset 15: entry count 4294967295 exceeds the 0 bytes left"},
		{"huge parameter count", rawModule(section(1, 1, 0x60, 0xff, 0xff, 0xff, 0xff, 0x0f)), engine.ReasonMalformed,
			"parameter count 4294967295 exceeds"},
		{"huge local count", rawModule(section(10, 1, 7, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f)), engine.ReasonMalformed,
			"function declares more than 50000 locals"},
		{"huge data length", rawModule(section(11, 1, 1, 0xf0, 0xff, 0xff, 0xff, 0x0f)), engine.ReasonMalformed,
			"data byte count 4294967280 exceeds"},
		{"unknown section", rawModule(section(42, 0)), engine.ReasonMalformed, "unknown section id 42"},
	}
	e := sharedEngine(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Validate(tt.wasm)
			var ve *engine.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if ve.Reason != tt.reason || !strings.Contains(ve.Message, tt.substr) {
				t.Fatalf("err = %s: %q, want %s containing %q", ve.Reason, ve.Message, tt.reason, tt.substr)
			}
		})
	}
}

// section encodes one section with a one-byte size (content < 128 bytes).
func section(id byte, content ...byte) []byte {
	return append([]byte{id, byte(len(content))}, content...)
}

// rawModule is a header followed by the given sections.
func rawModule(sections ...[]byte) []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	for _, s := range sections {
		b = append(b, s...)
	}
	return b
}
