package chaincode

import (
	"encoding/json"
	"strings"

	"github.com/medledger/medledger/runtime/ledger/fabricstub"
)

// registryEvent sets the transaction's chaincode event to name with v as JSON payload and returns v as JSON.
func (cc *Chaincode) registryEvent(t *tx, name string, v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, internal("encoding the result: %v", err)
	}
	if err := t.stub.SetEvent(name, raw); err != nil {
		return nil, internal("event %s: %v", name, err)
	}
	return raw, nil
}

// setGovernance replaces the governance: members and rule. The first call is endorsed under the chaincode's
// own endorsement policy; every later one must satisfy the current governance policy (Fabric checks the
// key-level policy of gov/config), and it re-applies the new policy to every registry key.
func (cc *Chaincode) setGovernance(t *tx) ([]byte, error) {
	if err := t.wantArgs(1, 1, `({"members":[MSP IDs],"rule":"MAJORITY|ALL|ANY|N"})`); err != nil {
		return nil, err
	}
	creator, err := fabricstub.Caller(t.stub)
	if err != nil {
		return nil, badRequest("%s: %v", t.fn, err)
	}
	if !creator.IsAdmin() {
		return nil, fail(statusForbidden, outcomeForbidden, "%s needs an admin identity: %s of %s has role %s",
			t.fn, creator.Identity.Subject, creator.Identity.MSPID, creator.Identity.Role)
	}
	var spec GovernanceSpec
	if err := strictJSON(t.arg(0), &spec); err != nil {
		return nil, badRequest("%s: %v", t.fn, err)
	}
	g, err := newGovernance(spec)
	if err != nil {
		return nil, badRequest("%s: %v", t.fn, err)
	}
	cur, found, err := readGovernance(t.stub)
	if err != nil {
		return nil, err
	}
	if found && !cur.IsMember(creator.Identity.MSPID) {
		return nil, fail(statusForbidden, outcomeForbidden, "%s: %s is not a member of the current governance (members: %v)", t.fn, creator.Identity.MSPID, cur.Members)
	}
	if !g.IsMember(creator.Identity.MSPID) {
		return nil, badRequest("%s: the caller's organisation %s must be one of the members", t.fn, creator.Identity.MSPID)
	}
	ts, err := fabricstub.TxTime(t.stub)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	g.Version = cur.Version + 1
	g.UpdatedBy = Principal{MSPID: creator.Identity.MSPID, ID: creator.Identity.ID}
	g.TxID, g.Timestamp = t.stub.GetTxID(), ts
	policy, err := g.Policy()
	if err != nil {
		return nil, internal("governance policy: %v", err)
	}
	if err := putJSON(t.stub, governanceKey, g, policy); err != nil {
		return nil, err
	}
	seq, err := readSequence(t.stub)
	if err != nil {
		return nil, err
	}
	if err := putRaw(t.stub, sequenceKey, []byte(formatUint(seq)), policy); err != nil {
		return nil, err
	}
	it, err := t.stub.GetStateByRange(entryPrefix, prefixEnd(entryPrefix))
	if err != nil {
		return nil, internal("listing contracts: %v", err)
	}
	defer it.Close()
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, internal("listing contracts: %v", err)
		}
		if err := t.stub.SetStateValidationParameter(kv.Key, policy); err != nil {
			return nil, internal("setting the endorsement policy of %s: %v", kv.Key, err)
		}
	}
	return cc.registryEvent(t, "GovernanceChanged", g)
}

// GovernanceView is what the governance function returns: the record and the key-level endorsement policy
// Fabric holds for the registry, as text.
type GovernanceView struct {
	Governance Governance `json:"governance"`
	// KeyPolicy is the endorsement policy on the registry's sequence key, read back from the ledger.
	KeyPolicy string `json:"keyPolicy"`
}

func (cc *Chaincode) governance(t *tx) ([]byte, error) {
	if err := t.wantArgs(0, 0, "()"); err != nil {
		return nil, err
	}
	g, found, err := readGovernance(t.stub)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fail(statusNotFound, outcomeNotFound, "governance is not configured: an admin must call setGovernance first")
	}
	v := GovernanceView{Governance: g}
	ep, err := t.stub.GetStateValidationParameter(sequenceKey)
	if err != nil {
		return nil, internal("reading the endorsement policy of %s: %v", sequenceKey, err)
	}
	if len(ep) > 0 {
		if v.KeyPolicy, err = DescribePolicy(ep); err != nil {
			return nil, internal("%v", err)
		}
	}
	return json.Marshal(v)
}

func (cc *Chaincode) get(t *tx) ([]byte, error) {
	if err := t.wantArgs(1, 1, "(name)"); err != nil {
		return nil, err
	}
	name := string(t.arg(0))
	e, found, err := readEntry(t.stub, name)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fail(statusNotFound, outcomeNotFound, "contract %q is not deployed", name)
	}
	return json.Marshal(e)
}

// ListPage is what list returns.
type ListPage struct {
	Contracts []Entry `json:"contracts"`
	// Bookmark continues the listing; empty on the last page.
	Bookmark string `json:"bookmark"`
}

// ListOptions is the optional argument of list.
type ListOptions struct {
	PageSize int32  `json:"pageSize,omitempty"`
	Bookmark string `json:"bookmark,omitempty"`
}

// Page sizes of list.
const (
	defaultListPage = 50
	maxListPage     = 500
)

func (cc *Chaincode) list(t *tx) ([]byte, error) {
	if err := t.wantArgs(0, 1, `([{"pageSize":N,"bookmark":"..."}])`); err != nil {
		return nil, err
	}
	opts := ListOptions{PageSize: defaultListPage}
	if raw := t.arg(0); len(raw) > 0 {
		if err := strictJSON(raw, &opts); err != nil {
			return nil, badRequest("list: %v", err)
		}
	}
	if opts.PageSize <= 0 || opts.PageSize > maxListPage {
		return nil, badRequest("list: pageSize %d: want 1..%d", opts.PageSize, maxListPage)
	}
	if opts.Bookmark != "" && !strings.HasPrefix(opts.Bookmark, entryPrefix) {
		return nil, badRequest("list: bookmark %q did not come from list", opts.Bookmark)
	}
	page, err := fabricstub.New(t.stub).GetStateByRangeWithPagination(entryPrefix, prefixEnd(entryPrefix), opts.PageSize, opts.Bookmark)
	if err != nil {
		return nil, internal("list: %v (list is read-only: evaluate it, do not combine it with writes)", err)
	}
	out := ListPage{Contracts: []Entry{}, Bookmark: page.Bookmark}
	for _, kv := range page.KVs {
		var e Entry
		if err := json.Unmarshal(kv.Value, &e); err != nil {
			return nil, internal("ledger key %s does not hold an entry: %v", kv.Key, err)
		}
		out.Contracts = append(out.Contracts, e)
	}
	return json.Marshal(out)
}

func (cc *Chaincode) history(t *tx) ([]byte, error) {
	if err := t.wantArgs(1, 1, "(name)"); err != nil {
		return nil, err
	}
	name := string(t.arg(0))
	prefix := historyPrefix + name + "/"
	it, err := t.stub.GetStateByRange(prefix, prefixEnd(prefix))
	if err != nil {
		return nil, internal("history of %s: %v", name, err)
	}
	defer it.Close()
	out := []Entry{}
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, internal("history of %s: %v", name, err)
		}
		var e Entry
		if err := json.Unmarshal(kv.Value, &e); err != nil {
			return nil, internal("ledger key %s does not hold an entry: %v", kv.Key, err)
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, fail(statusNotFound, outcomeNotFound, "contract %q was never deployed", name)
	}
	return json.Marshal(out)
}
