// Command medledger is the command-line tool for medledger: it validates and runs WebAssembly contracts locally
// (`medledger contract`), and runs a local Fabric network of hospitals (`medledger devnet`).
//
// Each command group lives in its own file and registers its constructor from an init function:
//
//	func init() { register(newDevnetCmd) }
//
// newRootCmd builds a fresh command tree on every run, so tests can run commands repeatedly without flag values
// leaking from one run into the next.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// commands are the constructors of the root command's subcommands, added by register.
var commands []func() *cobra.Command

// register adds a subcommand constructor to the root command. Call it from init.
func register(newCmd func() *cobra.Command) { commands = append(commands, newCmd) }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "medledger",
		Short:         "Hospital ledgers on Hyperledger Fabric with WebAssembly smart contracts",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	for _, c := range commands {
		root.AddCommand(c())
	}
	return root
}

// exitError carries a specific exit code out of a command (for example 2 for a contract error).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// run executes the command line args, writing to stdout and stderr, and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "medledger:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
