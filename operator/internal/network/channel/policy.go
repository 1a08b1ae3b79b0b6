package channel

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// CheckPolicy reports whether p is well formed. An ImplicitMeta rule must read
// "ANY|ALL|MAJORITY <SubPolicy>"; a Signature rule must parse as Fabric's policy language
// (OR, AND, OutOf(n, ...) over 'MSPID.role' principals, role one of member, admin, client,
// peer, orderer) and, when knownMSPs is not nil, name only those MSP IDs.
//
// # Errors
//   - the type is neither ImplicitMeta nor Signature;
//   - the rule does not parse; the error says where;
//   - a principal names an unknown MSP ID or role, or OutOf asks for more than it lists.
func CheckPolicy(p Policy, knownMSPs map[string]bool) error {
	switch p.Type {
	case ImplicitMeta:
		f := strings.Fields(p.Rule)
		if len(f) != 2 {
			return fmt.Errorf("implicit meta rule %q must read \"ANY|ALL|MAJORITY <SubPolicy>\"", p.Rule)
		}
		switch f[0] {
		case "ANY", "ALL", "MAJORITY":
		default:
			return fmt.Errorf("implicit meta rule %q: %q is not ANY, ALL or MAJORITY", p.Rule, f[0])
		}
		return nil
	case Signature:
		ps := &policyParser{src: p.Rule, known: knownMSPs}
		if err := ps.expr(); err != nil {
			return fmt.Errorf("signature rule %q: %w", p.Rule, err)
		}
		ps.space()
		if ps.pos != len(ps.src) {
			return fmt.Errorf("signature rule %q: unexpected %q at offset %d", p.Rule, ps.src[ps.pos:], ps.pos)
		}
		return nil
	case "":
		return errors.New("policy type is empty (want ImplicitMeta or Signature)")
	default:
		return fmt.Errorf("policy type %q is not ImplicitMeta or Signature", p.Type)
	}
}

// policyParser is a recursive-descent check of Fabric's signature policy language; the
// real compilation is fabric-config's, this only finds mistakes early with a clear message.
type policyParser struct {
	src   string
	pos   int
	known map[string]bool
}

func (p *policyParser) space() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

// expr parses OR(...), AND(...) or OutOf(n, ...) and returns nothing but errors.
func (p *policyParser) expr() error {
	p.space()
	start := p.pos
	for p.pos < len(p.src) && isLetter(p.src[p.pos]) {
		p.pos++
	}
	name := strings.ToUpper(p.src[start:p.pos])
	if name != "OR" && name != "AND" && name != "OUTOF" {
		return fmt.Errorf("expected OR, AND or OutOf at offset %d", start)
	}
	p.space()
	if !p.eat('(') {
		return fmt.Errorf("expected '(' after %s at offset %d", p.src[start:start+len(name)], p.pos)
	}
	need := 1
	if name == "OUTOF" {
		p.space()
		numStart := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		n, err := strconv.Atoi(p.src[numStart:p.pos])
		if err != nil || n < 1 {
			return fmt.Errorf("OutOf needs a positive count at offset %d", numStart)
		}
		need = n
		p.space()
		if !p.eat(',') {
			return fmt.Errorf("expected ',' after the OutOf count at offset %d", p.pos)
		}
	}
	args := 0
	for {
		p.space()
		if p.pos < len(p.src) && (p.src[p.pos] == '\'' || p.src[p.pos] == '"') {
			if err := p.principal(); err != nil {
				return err
			}
		} else if err := p.expr(); err != nil {
			return err
		}
		args++
		p.space()
		if p.eat(',') {
			continue
		}
		if p.eat(')') {
			break
		}
		return fmt.Errorf("expected ',' or ')' at offset %d", p.pos)
	}
	if args < need {
		return fmt.Errorf("OutOf(%d, ...) lists only %d policies", need, args)
	}
	return nil
}

func (p *policyParser) principal() error {
	quote := p.src[p.pos]
	p.pos++
	end := strings.IndexByte(p.src[p.pos:], quote)
	if end < 0 {
		return fmt.Errorf("unterminated principal at offset %d", p.pos-1)
	}
	s := p.src[p.pos : p.pos+end]
	p.pos += end + 1
	dot := strings.LastIndexByte(s, '.')
	if dot <= 0 {
		return fmt.Errorf("principal %q must read 'MSPID.role'", s)
	}
	msp, role := s[:dot], s[dot+1:]
	switch role {
	case "member", "admin", "client", "peer", "orderer":
	default:
		return fmt.Errorf("principal %q: role %q is not member, admin, client, peer or orderer", s, role)
	}
	if err := CheckMSPID(msp); err != nil {
		return fmt.Errorf("principal %q: %w", s, err)
	}
	if p.known != nil && !p.known[msp] {
		return fmt.Errorf("principal %q names MSP %q, which is not in the channel", s, msp)
	}
	return nil
}

func (p *policyParser) eat(c byte) bool {
	if p.pos < len(p.src) && p.src[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// mspIDChar reports whether c may stand at offset i of an MSP ID; c < 128 first, so byte(c) cannot truncate a
// wider rune into a letter.
func mspIDChar(c rune, i int) bool {
	return c < 128 && isLetter(byte(c)) || c >= '0' && c <= '9' || i > 0 && (c == '.' || c == '-')
}

// CheckMSPID reports whether id is usable as an MSP ID in policies: 1–128 letters, digits,
// '.' and '-' (the characters Fabric's policy language accepts), starting with a letter or
// digit.
//
// # Errors
//   - the ID is empty, too long, or holds another character.
func CheckMSPID(id string) error {
	if id == "" {
		return errors.New("MSP ID is empty")
	}
	if len(id) > 128 {
		return fmt.Errorf("MSP ID %q is longer than 128 characters", id)
	}
	for i, c := range id {
		if !mspIDChar(c, i) {
			return fmt.Errorf("MSP ID %q holds %q at offset %d (allowed: letters, digits, and '.' or '-' after the first)", id, c, i)
		}
	}
	return nil
}
