package main

import (
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// BenchmarkTypicalCall measures the commonest call in a hospital: a pharmacist scans a pack's DataMatrix and
// verifies it before dispensing. Each call runs in the real engine (snapshot isolation), reads the pack, its
// product, lot recall, investigation, last event and container chain, and writes an audit record.
func BenchmarkTypicalCall(b *testing.B) {
	w := newWorld(b)
	w.toStMarys("SN0001")
	args := verifyArgs{Barcode: "]d2010036141412345817280630" + "10LA2601\x1d21SN0001", Purpose: "dispensing"}
	at := w.now
	for b.Loop() {
		at = at.Add(time.Second)
		r := w.h.Call("verify", args, sdktest.As(stMarys), sdktest.At(at))
		if r.Err != nil {
			b.Fatal(r.Err)
		}
	}
}
