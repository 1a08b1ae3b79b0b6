package main

import (
	"maps"
	"slices"
	"strings"

	"github.com/medledger/medledger/plugins/sdk"
)

// book caches what one adjudication (or reversal) reads and changes: plan versions, accumulators,
// authorizations and duplicate-check entries. Lines of one claim see each other's effects through it, and
// flush writes every change once, in key order, so the write set is the same on every peer.
type book struct {
	ctx    sdk.Context
	metas  map[string]*PlanMeta
	plans  map[string]*PlanVersion
	accums map[string]*Accumulator
	auths  map[string]*Authorization // nil: looked up, absent
	dups   map[string]*dupEntry
	dirty  map[string]bool // accumulator and authorization keys to write
}

// dupEntry is the state of one duplicate-check key: the line that owns the service, or none.
type dupEntry struct {
	owner string // "<providerMsp>/<claimId>#<line>", "" when absent or deleted
	dirty bool
}

func newBook(ctx sdk.Context) *book {
	return &book{ctx: ctx, metas: map[string]*PlanMeta{}, plans: map[string]*PlanVersion{},
		accums: map[string]*Accumulator{}, auths: map[string]*Authorization{}, dups: map[string]*dupEntry{},
		dirty: map[string]bool{}}
}

// planOn returns the version of plan in force on date d, nil if none.
func (b *book) planOn(plan, d string) (*PlanVersion, error) {
	meta, ok := b.metas[plan]
	if !ok {
		var err error
		if meta, err = loadPlanMeta(b.ctx, plan); err != nil {
			return nil, err
		}
		b.metas[plan] = meta
	}
	n := meta.inForce(d)
	if n == 0 {
		return nil, nil
	}
	key := planKey(plan, n)
	if v, ok := b.plans[key]; ok {
		return v, nil
	}
	v, err := loadPlan(b.ctx, plan, n)
	if err != nil {
		return nil, err
	}
	b.plans[key] = &v
	return &v, nil
}

// accum returns the accumulator at key (zero if none yet). Callers that change it call touch.
func (b *book) accum(key string) (*Accumulator, error) {
	if a, ok := b.accums[key]; ok {
		return a, nil
	}
	a := &Accumulator{}
	if _, err := b.ctx.GetJSON(key, a); err != nil {
		return nil, err
	}
	b.accums[key] = a
	return a, nil
}

// auth returns the authorization id, nil if there is none.
func (b *book) auth(id string) (*Authorization, error) {
	if a, ok := b.auths[id]; ok {
		return a, nil
	}
	var a Authorization
	found, err := b.ctx.GetJSON(authKey(id), &a)
	if err != nil {
		return nil, err
	}
	var p *Authorization
	if found {
		p = &a
	}
	b.auths[id] = p
	return p, nil
}

func (b *book) touch(key string) { b.dirty[key] = true }

// dupOwner returns the line that owns the service key, "" if none.
func (b *book) dupOwner(key string) string {
	if d, ok := b.dups[key]; ok {
		return d.owner
	}
	v, _ := b.ctx.GetState(key)
	b.dups[key] = &dupEntry{owner: string(v)}
	return string(v)
}

// setDup makes owner ("" to release) the owner of the service key.
func (b *book) setDup(key, owner string) {
	b.dupOwner(key)
	b.dups[key] = &dupEntry{owner: owner, dirty: true}
}

// flush writes every changed accumulator, authorization and duplicate-check key, in key order.
func (b *book) flush() error {
	for _, key := range slices.Sorted(maps.Keys(b.dirty)) {
		var err error
		if id, ok := strings.CutPrefix(key, prefixAuth); ok {
			err = b.ctx.PutJSON(key, b.auths[id])
		} else {
			err = b.ctx.PutJSON(key, b.accums[key])
		}
		if err != nil {
			return err
		}
	}
	for _, key := range slices.Sorted(maps.Keys(b.dups)) {
		switch d := b.dups[key]; {
		case !d.dirty:
		case d.owner == "":
			b.ctx.DelState(key)
		default:
			b.ctx.PutState(key, []byte(d.owner))
		}
	}
	return nil
}

// remaining returns limit - met floored at 0, or -1 (unlimited) when limit is nil.
func remaining(limit *int64, met int64) int64 {
	if limit == nil {
		return -1
	}
	return max(*limit-met, 0)
}

// minRemaining combines two remaining amounts where -1 means unlimited.
func minRemaining(a, b int64) int64 {
	switch {
	case a < 0:
		return b
	case b < 0:
		return a
	}
	return min(a, b)
}
