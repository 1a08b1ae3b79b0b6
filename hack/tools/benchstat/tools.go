//go:build tools

// Package tools pins benchstat.
package tools

import _ "golang.org/x/perf/cmd/benchstat"
