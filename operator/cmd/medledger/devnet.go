package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/medledger/medledger/operator/internal/devnet"
	"github.com/medledger/medledger/operator/internal/devnet/ccaas"
	"github.com/medledger/medledger/operator/internal/devnet/testcc"
	"github.com/medledger/medledger/operator/internal/fabricadmin"
)

func init() { register(newDevnetCmd) }

func newDevnetCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Run a local Fabric network of hospitals (no cluster, no Docker)",
		Long: "devnet runs hospitals' peers and the consortium's orderers as local processes on loopback ports, with\n" +
			"TLS, from the same artifacts the operator renders for Kubernetes. Data, keys and logs live in --dir.",
		// Without Args and RunE cobra would answer an unknown subcommand with help and exit status 0.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVar(&dir, "dir", devnet.DefaultDir, "work dir of the devnet")
	cmd.AddCommand(newDevnetUpCmd(&dir), newDevnetDownCmd(&dir), newDevnetStatusCmd(&dir), newDevnetLogsCmd(&dir),
		newDevnetDemoCmd(&dir), newDevnetBuilderCmd(), newDevnetTestCCCmd())
	return cmd
}

func newDevnetUpCmd(dir *string) *cobra.Command {
	var (
		topo     devnet.Topology
		bin      string
		channel  string
		basePort int
		timeout  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the devnet (create it on first use; restart it with its ledgers intact later)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := signalContext(cmd.Context(), timeout)
			defer cancel()
			out := cmd.OutOrStdout()
			fabricBin := bin
			if _, err := devnet.Open(*dir, io.Discard); err != nil || bin != "" {
				// A new devnet (or explicit binaries): make sure they exist, building them if this is a checkout.
				if fabricBin, err = ensureFabric(bin, out); err != nil {
					return err
				}
			}
			self, err := os.Executable()
			if err != nil {
				return fmt.Errorf("devnet: locate the medledger binary for the chaincode builder: %w", err)
			}
			if !cmd.Flags().Changed("hospitals") && !cmd.Flags().Changed("peers") && !cmd.Flags().Changed("orderers") {
				topo = devnet.Topology{} // keep an existing devnet's shape; DefaultTopology for a new one
			}
			_, err = devnet.Up(ctx, devnet.Options{
				Dir: *dir, FabricBin: fabricBin, Topology: topo, Channel: channel, BasePort: basePort,
				Builder: []string{self, "devnet", "ccbuilder"}, Out: out,
			})
			return err
		},
	}
	f := cmd.Flags()
	f.IntVar(&topo.Hospitals, "hospitals", devnet.DefaultTopology.Hospitals, "number of hospitals (orgs), 1-9")
	f.IntVar(&topo.PeersPerHospital, "peers", devnet.DefaultTopology.PeersPerHospital, "peers per hospital, 1-4")
	f.IntVar(&topo.Orderers, "orderers", devnet.DefaultTopology.Orderers, "orderer nodes (etcdraft), 1-5")
	f.StringVar(&bin, "fabric-bin", "", "folder with the peer and orderer binaries (default: bin/fabric of this checkout, built by `make tools`)")
	f.StringVar(&channel, "channel", "", "application channel name (default "+devnet.DefaultChannel+")")
	f.IntVar(&basePort, "base-port", 0, "take ports consecutively from this one (default: any free loopback ports)")
	f.DurationVar(&timeout, "timeout", 5*time.Minute, "give up after this long")
	return cmd
}

func newDevnetDownCmd(dir *string) *cobra.Command {
	var purge bool
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop every process of the devnet; --purge also deletes its data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return devnet.Down(*dir, purge, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&purge, "purge", false, "delete the work dir (ledgers, keys, logs) after stopping")
	return cmd
}

func newDevnetStatusCmd(dir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show each node: up/down/crashed, ledger height, channel membership",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := devnet.Open(*dir, io.Discard)
			if err != nil {
				return err
			}
			ctx, cancel := signalContext(cmd.Context(), 30*time.Second)
			defer cancel()
			st := d.Status(ctx)
			devnet.WriteStatus(cmd.OutOrStdout(), st)
			for _, s := range st {
				if s.State != devnet.StateUp {
					return &exitError{code: 3, err: fmt.Errorf("devnet: not every node is up (%s: %s)", s.Name, s.State)}
				}
			}
			return nil
		},
	}
}

func newDevnetLogsCmd(dir *string) *cobra.Command {
	var (
		lines  int
		follow bool
	)
	cmd := &cobra.Command{
		Use:   "logs NODE",
		Short: "Show a node's log (NODE may be a prefix such as peer0.hospital1)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := devnet.Open(*dir, io.Discard)
			if err != nil {
				return err
			}
			ctx, cancel := signalContext(cmd.Context(), 0)
			defer cancel()
			return d.Logs(ctx, args[0], lines, follow, cmd.OutOrStdout())
		},
	}
	cmd.Flags().IntVarP(&lines, "lines", "n", 50, "show the last N lines (0: the whole log)")
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing what the node logs")
	return cmd
}

// newDevnetDemoCmd deploys the tiny key-value chaincode and shows one committed, multi-hospital transaction.
// It stands in for the health contracts until the wasmcc runtime is deployed by `make devnet`.
func newDevnetDemoCmd(dir *string) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Deploy the tiny test chaincode and commit one transaction endorsed by every hospital",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := signalContext(cmd.Context(), timeout)
			defer cancel()
			out := cmd.OutOrStdout()
			d, err := devnet.Open(*dir, out)
			if err != nil {
				return err
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			cc, err := d.DeployChaincode(ctx, devnet.ChaincodeSpec{Name: "kv", Command: []string{self, "devnet", "testcc"}})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "chaincode kv committed (sequence %d, package %s, server %s)\n", cc.Sequence, cc.PackageID, cc.Address)
			return demoTransaction(ctx, d, out)
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 2*time.Minute, "give up after this long")
	return cmd
}

func demoTransaction(ctx context.Context, d *devnet.Devnet, out io.Writer) error {
	hospitals := d.Hospitals()
	writer, reader := d.Peers(hospitals[0])[0], d.Peers(hospitals[len(hospitals)-1])[0]
	gw, conn, err := d.Gateway(writer)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer gw.Close()
	key, value := "demo-"+strconv.FormatInt(time.Now().Unix(), 10), "hello from "+hospitals[0]
	start := time.Now()
	res, err := gw.Submit(ctx, fabricadmin.Tx{Channel: d.Channel(), Chaincode: "kv", Function: "put", Args: [][]byte{[]byte(key), []byte(value)}})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "put %s=%q through %s: committed in block %d as tx %s (%s)\n", key, value, writer, res.BlockNumber, res.TransactionID, time.Since(start).Round(time.Millisecond))
	rgw, rconn, err := d.Gateway(reader)
	if err != nil {
		return err
	}
	defer rconn.Close()
	defer rgw.Close()
	for {
		got, err := rgw.Evaluate(ctx, fabricadmin.Tx{Channel: d.Channel(), Chaincode: "kv", Function: "get", Args: [][]byte{[]byte(key)}, Orgs: []string{hospitals[len(hospitals)-1]}})
		if err == nil {
			fmt.Fprintf(out, "get %s from %s: %q\n", key, reader, got)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devnet demo: read back from %s: %w", reader, err)
		case <-time.After(100 * time.Millisecond): // the reader's peer may commit the block a moment later
		}
	}
}

// newDevnetBuilderCmd is the peers' external builder (see devnet.Options.Builder); hidden, peers call it.
func newDevnetBuilderCmd() *cobra.Command {
	return &cobra.Command{
		Use:                "ccbuilder detect|build|release DIR...",
		Short:              "Fabric external builder for ccaas packages (run by peers)",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if code := ccaas.Main(append([]string{"ccbuilder"}, args...), cmd.ErrOrStderr()); code != 0 {
				return &exitError{code: code, err: fmt.Errorf("ccbuilder %v failed", args)}
			}
			return nil
		},
	}
}

// newDevnetTestCCCmd serves the tiny test chaincode; the devnet starts it with CHAINCODE_SERVER_ADDRESS and
// CHAINCODE_ID set and stops it with SIGTERM.
func newDevnetTestCCCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "testcc",
		Short:  "Serve the devnet's test chaincode (run by the devnet)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr, id := os.Getenv(devnet.EnvChaincodeAddress), os.Getenv(devnet.EnvChaincodeID)
			if addr == "" || id == "" {
				return fmt.Errorf("testcc: %s and %s must be set", devnet.EnvChaincodeAddress, devnet.EnvChaincodeID)
			}
			ctx, cancel := signalContext(cmd.Context(), 0)
			defer cancel()
			return testcc.ListenAndServe(ctx, addr, id)
		},
	}
}

// ensureFabric returns the Fabric binary folder, building it with hack/build-tools.sh (cached by version) when
// the default bin/fabric of this checkout is missing. An explicit --fabric-bin is never built into.
func ensureFabric(flag string, out io.Writer) (string, error) {
	bin := devnet.FindFabricBin(flag)
	err := devnet.CheckFabricBin(bin)
	if err == nil || flag != "" {
		return bin, err
	}
	script := filepath.Join(filepath.Dir(filepath.Dir(bin)), "hack", "build-tools.sh")
	if _, serr := os.Stat(script); serr != nil {
		return "", err
	}
	fmt.Fprintf(out, "Fabric binaries missing in %s: building them from source with %s fabric (about 6 minutes the first time, cached afterwards)\n", bin, script)
	build := exec.Command(script, "fabric")
	build.Stdout, build.Stderr = out, out
	if berr := build.Run(); berr != nil {
		return "", fmt.Errorf("%w (building them failed: %w)", err, berr)
	}
	return bin, devnet.CheckFabricBin(bin)
}

// signalContext ends on SIGINT/SIGTERM and, when timeout > 0, after timeout.
func signalContext(parent context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	if timeout <= 0 {
		return ctx, stop
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	return tctx, func() { cancel(); stop() }
}
