package main

import "fmt"

// The money arithmetic of adjudication, kept free of the ledger so it can be tested exhaustively. Amounts are
// int64 cents; the validation bounds (charge < 1e10, units < 1e4, percentages <= 3e4 bps) keep every product
// below 1e18, inside int64.

// mulBps returns x × bps / 10000 for x >= 0, rounded half up: the one rounding rule of the contract.
func mulBps(x int64, bps int) int64 {
	return (x*int64(bps) + bpsWhole/2) / bpsWhole
}

// prorate returns the share of charge that part of units carry, rounded down; part == units gives charge.
func prorate(charge int64, part, units int) int64 {
	return charge * int64(part) / int64(units)
}

// allowedAmount returns what the plan allows for units of a code billed at charge: the fee schedule's amount
// per unit scaled to the tier (when the code has a fee), else the tier's share of the charge; never more than
// the charge.
func allowedAmount(fee int64, hasFee bool, t Tier, units int, charge int64) int64 {
	var allowed int64
	if hasFee {
		allowed = mulBps(fee, t.FeeSchedulePercentBps) * int64(units)
	} else {
		allowed = mulBps(charge, t.UnlistedChargePercentBps)
	}
	return min(allowed, charge)
}

// shares is the member's cost share of one line.
type shares struct {
	Deductible, Copay, Coinsurance int64
}

func (s shares) total() int64 { return s.Deductible + s.Copay + s.Coinsurance }

// split divides an allowed amount into the member's cost share: the deductible first (when the benefit applies
// it) up to what remains of it, then the copay up to what is left, then coinsurance on the rest. The sum is
// then capped at what remains of the out-of-pocket maximum (-1: none), taking the excess back from
// coinsurance, then copay, then deductible, so a member who met the maximum pays nothing more.
func split(allowed int64, cs CostShare, remDeductible, remOOP int64) shares {
	var s shares
	if cs.DeductibleApplies {
		s.Deductible = min(allowed, max(remDeductible, 0))
	}
	s.Copay = min(cs.CopayCents, allowed-s.Deductible)
	s.Coinsurance = mulBps(allowed-s.Deductible-s.Copay, cs.CoinsuranceBps)
	if remOOP >= 0 {
		over := s.total() - remOOP
		for _, part := range []*int64{&s.Coinsurance, &s.Copay, &s.Deductible} {
			cut := min(over, *part)
			if cut > 0 {
				*part -= cut
				over -= cut
			}
		}
	}
	return s
}

// usd formats cents as dollars for explanations, e.g. 123456 → "$1,234.56".
func usd(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := fmt.Sprint(cents / 100)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return fmt.Sprintf("%s$%s.%02d", sign, whole, cents%100)
}

// pct formats basis points as a percentage, e.g. 2000 → "20%", 1250 → "12.5%".
func pct(bps int) string {
	s := fmt.Sprintf("%d.%02d", bps/100, bps%100)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s + "%"
}
