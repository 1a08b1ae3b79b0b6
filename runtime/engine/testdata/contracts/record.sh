#!/bin/sh
# Records real call sequences of the example and health contracts for TestContract_Call_MeteredUnmetered.
# It runs each contract's own test suite with plugins/sdk/sdktest patched through a `go test -overlay` (the
# sources on disk are not touched) so that every Harness.Call and seeded value is appended to a JSON-lines file,
# then keeps the harnesses named in PICK. Usage: sh record.sh (from anywhere; needs python3).
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$root/plugins/sdk/sdktest/harness.go" "$root/plugins/sdk/sdktest/state.go" "$tmp/"
python3 - "$tmp" <<'EOF'
import sys
d = sys.argv[1]
def edit(p, pairs, extra=""):
    s = open(p).read()
    for old, new in pairs:
        assert s.count(old) == 1, (p, old)
        s = s.replace(old, new)
    open(p, "w").write(s + extra)
hid = 'fmt.Sprintf("%s/%p", h.t.Name(), h)'
edit(d + "/harness.go", [
    ("import (\n", 'import (\n\t"fmt"\n\t"os"\n'),
    ("\tres, err := h.contract.Call(h.t.Context(), call)",
     '\trecordStep(map[string]any{"h": ' + hid + ', "contract": strings.TrimSuffix(strings.TrimPrefix(h.ns, "ns/"), "/"),\n'
     '\t\t"fn": call.Function, "args": call.Args, "caller": call.Caller, "txId": call.TxID, "ts": call.Timestamp})\n'
     "\tres, err := h.contract.Call(h.t.Context(), call)"),
], '''
var recordMu sync.Mutex

func recordStep(v map[string]any) {
	recordMu.Lock()
	defer recordMu.Unlock()
	f, err := os.OpenFile(os.Getenv("MEDLEDGER_RECORD"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	b, _ := json.Marshal(v)
	_, _ = f.Write(append(b, '\\n'))
}
''')
edit(d + "/state.go", [
    ("import (\n", 'import (\n\t"fmt"\n'),
    ('\th.seed(func() error { return h.state.PutState(h.ns+key, h.encode("Put("+key+")", value)) })',
     '\tv := h.encode("Put("+key+")", value)\n'
     '\trecordStep(map[string]any{"h": ' + hid + ', "seedKey": h.ns + key, "seedValue": v})\n'
     '\th.seed(func() error { return h.state.PutState(h.ns+key, v) })'),
    ('\t\treturn h.state.PutPrivateData(collection, h.ns+key, h.encode("PutPrivate("+key+")", value))',
     '\t\tv := h.encode("PutPrivate("+key+")", value)\n'
     '\t\trecordStep(map[string]any{"h": ' + hid + ', "seedColl": collection, "seedKey": h.ns + key, "seedValue": v})\n'
     '\t\treturn h.state.PutPrivateData(collection, h.ns+key, v)'),
])
EOF
cat > "$tmp/overlay.json" <<EOF
{"Replace": {"$root/plugins/sdk/sdktest/harness.go": "$tmp/harness.go", "$root/plugins/sdk/sdktest/state.go": "$tmp/state.go"}}
EOF
cd "$root"
for p in example consent traceability healthplan; do
	MEDLEDGER_RECORD="$tmp/$p.jsonl" go test -overlay "$tmp/overlay.json" -count=1 "./plugins/$p/" >/dev/null || true
done
python3 - "$tmp" "$here" <<'EOF'
import collections, json, sys
src, dst = sys.argv[1], sys.argv[2]
PICK = {
    "example": None,  # every harness
    "consent": ["TestAccess_check", "TestConsent_update", "TestConsent_list", "TestDelegate_acting",
                "TestResearch_participation", "TestAnchor_verifyAnchor"],
    "traceability": ["TestContract_verify", "TestContract_ship", "TestContract_recall", "TestContract_history",
                     "TestContract_aggregate"],
    "healthplan": ["TestHealthplan_SubmitClaim_priorAuthorization", "TestHealthplan_accumulatorInvariant",
                   "TestHealthplan_VoidClaim", "TestHealthplan_SubmitClaim_maxLines", "TestHealthplan_CheckEligibility"],
}
for p, names in PICK.items():
    harnesses = collections.OrderedDict()
    for line in open(f"{src}/{p}.jsonl"):
        r = json.loads(line)
        harnesses.setdefault(r["h"], []).append(r)
    with open(f"{dst}/{p}.jsonl", "w") as out:
        for i, (h, steps) in enumerate(harnesses.items()):
            test = h.split("/0x")[0]
            if names is not None and test not in names:
                continue
            for r in steps:
                r["h"] = f"{test}#{i}"
                out.write(json.dumps(r, separators=(",", ":"), sort_keys=True) + "\n")
EOF
