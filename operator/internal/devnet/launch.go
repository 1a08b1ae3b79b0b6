package devnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/medledger/medledger/operator/internal/fabricadmin"
)

// readyTimeout bounds how long a node may take from exec to serving; Fabric needs about a second here.
const readyTimeout = 90 * time.Second

// startNodes starts every node of nodes that is not already running and waits until all serve. A node whose pid
// file outlived its process crashed (or the machine rebooted): that is reported, then it is started again.
func (d *Devnet) startNodes(ctx context.Context, nodes []nodeState) error {
	started := map[string]*proc{}
	var toCheck []portUse
	for _, n := range nodes {
		pid, running, err := alive(n.pidFile())
		if err != nil {
			return fmt.Errorf("devnet: %s: %w", n.Name, err)
		}
		if running {
			d.progress.printf("%s already running (pid %d)", n.Name, pid)
			continue
		}
		if pid != 0 {
			d.progress.printf("%s was DOWN: pid %d is gone without `devnet down` (crashed?); last log lines:\n%s", n.Name, pid, indent(tail(n.logFile(), 5)))
		}
		for _, u := range d.st.Ports {
			if u.Node == n.Name {
				toCheck = append(toCheck, u)
			}
		}
	}
	if err := checkPortsFree(toCheck); err != nil {
		return err
	}
	for _, n := range nodes {
		if _, running, _ := alive(n.pidFile()); running {
			continue
		}
		p, err := start(procSpec{Name: n.Name, Path: n.Exe, Args: n.Args, Env: n.Env, Dir: n.Dir, Log: n.logFile(), PID: n.pidFile()})
		if err != nil {
			return err
		}
		started[n.Name] = p
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(nodes))
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.waitReady(ctx, n, started[n.Name])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// waitReady polls until n answers on every endpoint it offers. p, when this process started n, lets a crash
// during start-up end the wait at once with the log's last lines.
func (d *Devnet) waitReady(ctx context.Context, n nodeState, p *proc) error {
	var exited <-chan struct{}
	if p != nil {
		exited = p.exited
	}
	for {
		err := probe(ctx, n)
		if err == nil {
			return nil
		}
		if p == nil { // started by an earlier `up`: only its pid file tells whether it still runs
			if _, running, _ := alive(n.pidFile()); !running {
				return fmt.Errorf("devnet: %s is not running any more; last log lines of %s:\n%s", n.Name, n.logFile(), indent(tail(n.logFile(), 15)))
			}
		}
		select {
		case <-exited:
			why := p.err
			if why == nil { // a server that exits cleanly before serving has failed all the same
				why = errors.New("exit status 0")
			}
			return fmt.Errorf("devnet: %s exited during start-up (%w); last log lines of %s:\n%s", n.Name, why, n.logFile(), indent(tail(n.logFile(), 15)))
		case <-ctx.Done():
			return fmt.Errorf("devnet: %s not ready after %s: %w; see %s", n.Name, readyTimeout, err, n.logFile())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// probe checks a node once: operations /healthz when it has one, then a TCP connect to each listener.
func probe(ctx context.Context, n nodeState) error {
	if n.Operations != "" {
		hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := fabricadmin.Health(hctx, nil, "http://"+n.Operations)
		cancel()
		if err != nil {
			return err
		}
	}
	for _, addr := range []string{n.Address, n.AdminAddress} {
		if addr == "" {
			continue
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return err
		}
		c.Close()
	}
	return nil
}

func indent(s string) string {
	if s == "" {
		return "    (log is empty)"
	}
	out := "    "
	for _, r := range s {
		out += string(r)
		if r == '\n' {
			out += "    "
		}
	}
	return out
}

// stopNodes stops nodes in order; it reports each and keeps going after a failure.
func stopNodes(nodes []nodeState, p *progress) error {
	var firstErr error
	for _, n := range nodes {
		pid, running, err := alive(n.pidFile())
		if err == nil && !running && pid == 0 {
			continue
		}
		if err := stop(n.pidFile(), 10*time.Second); err != nil {
			p.printf("%s: %v", n.Name, err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if running {
			p.printf("stopped %s (pid %d)", n.Name, pid)
		} else {
			p.printf("%s was not running (pid %d gone)", n.Name, pid)
		}
	}
	return firstErr
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
