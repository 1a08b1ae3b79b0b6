// Command hostile is a contract that misbehaves on purpose, to show that wasmcc contains it: spin loops
// forever, bomb allocates memory until the sandbox's page limit stops it, echo behaves.
package main

import "github.com/medledger/medledger/plugins/sdk"

var sink [][]byte

func init() {
	sdk.RegisterRaw("spin", func(sdk.Context, []byte) ([]byte, error) {
		n := 0
		for {
			n++
		}
	})
	sdk.RegisterRaw("bomb", func(sdk.Context, []byte) ([]byte, error) {
		for {
			sink = append(sink, make([]byte, 1<<20))
		}
	})
	sdk.RegisterRaw("echo", func(_ sdk.Context, a []byte) ([]byte, error) { return a, nil })
}

func main() {}
