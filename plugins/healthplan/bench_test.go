package main

import (
	"fmt"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// BenchmarkTypicalCall measures one typical call through the real engine (Snapshot isolation), including the
// harness's commit: a provider submits a three-line claim (office visit, two labs) that is adjudicated at once,
// reading the member, the plan and the accumulators and writing the claim, its index, three duplicate-check
// keys, two accumulators and an audit entry. Service dates rotate over the year and the family, so the claims
// are not duplicates of each other. Run with
//
//	go test -run '^$' -bench . -count 5 ./plugins/healthplan/
func BenchmarkTypicalCall(b *testing.B) {
	h := world(b, func(p *planArgs) { p.TimelyFilingDays = 365 })
	members := []string{subscriber, spouse, child}
	at := sdktest.At(day("2026-12-31"))
	i := 0
	for b.Loop() {
		d := addDays("2026-01-01", i%365)
		args := claimArgs{ClaimID: fmt.Sprintf("CLM-%08d", i), MemberID: members[(i/365)%3], Lines: []lineArgs{
			line("99214", d, 18000), line("80053", d, 6000), line("85025", d, 4000)}}
		if r := h.Call("submitClaim", args, sdktest.As(hospital1), at); r.Err != nil {
			b.Fatal(r.Err)
		}
		i++
	}
}
