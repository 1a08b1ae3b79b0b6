//go:build !wasip1

package sdk

import "unsafe"

// On the host the package compiles so contracts build and vet, but nothing can reach a ledger: every host
// function panics with errNoHost. Tests run contracts in the real engine through plugins/sdk/sdktest.

const errNoHost = "plugins/sdk: the medledger host functions exist only in a GOOS=wasip1 GOARCH=wasm build; " +
	"test contracts with plugins/sdk/sdktest"

func abiInputFunction() int64                            { panic(errNoHost) }
func abiInputArgs() int64                                { panic(errNoHost) }
func abiRegisterRead(unsafe.Pointer)                     { panic(errNoHost) }
func abiStateGet(string) int64                           { panic(errNoHost) }
func abiStatePut(string, string)                         { panic(errNoHost) }
func abiStateDelete(string)                              { panic(errNoHost) }
func abiStateRange(string, string, string, uint32) int64 { panic(errNoHost) }
func abiPrivateGet(string, string) int64                 { panic(errNoHost) }
func abiPrivatePut(string, string, string)               { panic(errNoHost) }
func abiPrivateDelete(string, string)                    { panic(errNoHost) }
func abiEventEmit(string, string)                        { panic(errNoHost) }
func abiCaller() int64                                   { panic(errNoHost) }
func abiTxID() int64                                     { panic(errNoHost) }
func abiTxTimestamp() int64                              { panic(errNoHost) }
func abiLog(uint32, string)                              { panic(errNoHost) }
func abiResultSet(string)                                { panic(errNoHost) }
