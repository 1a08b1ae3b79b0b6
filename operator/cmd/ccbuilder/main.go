// Command ccbuilder is medledger's Fabric external builder for chaincode-as-a-service packages. Install it (or
// symlinks to it) as bin/detect, bin/build and bin/release in a builder folder named in the peer's
// chaincode.externalBuilders, or call it as `ccbuilder detect|build|release DIR...`.
package main

import (
	"os"

	"github.com/medledger/medledger/operator/internal/devnet/ccaas"
)

func main() {
	os.Exit(ccaas.Main(os.Args, os.Stderr))
}
