package devnet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
)

// Node states reported by Status.
const (
	StateUp        = "up"
	StateUnhealthy = "unhealthy" // the process runs but /healthz or its port does not answer
	StateCrashed   = "crashed"   // a pid was recorded and that process is gone without `devnet down`
	StateStopped   = "stopped"   // not started, or stopped by `devnet down`
)

// NodeStatus is one node as Status sees it.
type NodeStatus struct {
	Name    string
	Kind    string
	Org     string
	State   string
	PID     int
	Address string
	// Channels lists the channels the node has joined; Heights their ledger heights (blocks).
	Channels []string
	Heights  map[string]uint64
	// Detail explains a state other than up, or a failed query.
	Detail string
}

// Status reports every node of the devnet: up, unhealthy, crashed or stopped; for running peers and orderers
// also the channels they joined and their ledger heights. Problems with single nodes are reported in their
// Detail rather than as an error, so one dead node does not hide the others.
func (d *Devnet) Status(ctx context.Context) []NodeStatus {
	out := make([]NodeStatus, len(d.st.Nodes))
	done := make(chan struct{})
	for i, n := range d.st.Nodes {
		go func() {
			out[i] = d.nodeStatus(ctx, n)
			done <- struct{}{}
		}()
	}
	for range d.st.Nodes {
		<-done
	}
	return out
}

func (d *Devnet) nodeStatus(ctx context.Context, n nodeState) NodeStatus {
	s := NodeStatus{Name: n.Name, Kind: n.Kind, Org: n.Org, Address: n.Address, Heights: map[string]uint64{}}
	pid, running, err := alive(n.pidFile())
	s.PID = pid
	switch {
	case err != nil:
		s.State, s.Detail = StateCrashed, err.Error()
		return s
	case !running && pid != 0:
		s.State, s.Detail = StateCrashed, fmt.Sprintf("pid %d is gone; see %s", pid, n.logFile())
		return s
	case !running:
		s.State = StateStopped
		return s
	}
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := probe(pctx, n); err != nil {
		s.State, s.Detail = StateUnhealthy, err.Error()
		return s
	}
	s.State = StateUp
	switch n.Kind {
	case KindPeer:
		peer, conn, err := d.AdminPeer(n.Name)
		if err != nil {
			s.Detail = err.Error()
			return s
		}
		defer conn.Close()
		if s.Channels, err = peer.Channels(pctx); err != nil {
			s.Detail = err.Error()
			return s
		}
		for _, ch := range s.Channels {
			if h, err := peer.Height(pctx, ch); err == nil {
				s.Heights[ch] = h
			}
		}
	case KindOrderer:
		oa, err := d.ordererAdmin(n)
		if err != nil {
			s.Detail = err.Error()
			return s
		}
		if s.Channels, err = oa.Channels(pctx); err != nil {
			s.Detail = err.Error()
			return s
		}
		for _, ch := range s.Channels {
			if info, err := oa.Channel(pctx, ch); err == nil {
				s.Heights[ch] = info.Height
			}
		}
	}
	slices.Sort(s.Channels)
	return s
}

// WriteStatus prints statuses as a table.
func WriteStatus(w io.Writer, statuses []NodeStatus) {
	fmt.Fprintf(w, "%-40s %-9s %-9s %-7s %-21s %s\n", "NODE", "KIND", "STATE", "PID", "ADDRESS", "CHANNELS (HEIGHT)")
	for _, s := range statuses {
		pid := "-"
		if s.PID != 0 {
			pid = fmt.Sprint(s.PID)
		}
		chans := ""
		for i, ch := range s.Channels {
			if i > 0 {
				chans += ", "
			}
			chans += fmt.Sprintf("%s (%d)", ch, s.Heights[ch])
		}
		if chans == "" {
			chans = "-"
		}
		fmt.Fprintf(w, "%-40s %-9s %-9s %-7s %-21s %s\n", s.Name, s.Kind, s.State, pid, s.Address, chans)
		if s.Detail != "" {
			fmt.Fprintf(w, "    %s\n", s.Detail)
		}
	}
}

// Logs writes the last lines of node's log to w (all of it when lines <= 0); with follow it then keeps
// writing what the node appends until ctx ends. node may be a unique prefix such as "peer0.hospital1".
//
// # Errors
//   - no node matches (the message lists the nodes) or several do;
//   - the node has no log yet (never started).
func (d *Devnet) Logs(ctx context.Context, node string, lines int, follow bool, w io.Writer) error {
	n, err := d.st.findNode(node)
	if err != nil {
		return err
	}
	f, err := os.Open(n.logFile())
	if err != nil {
		return fmt.Errorf("devnet: %s has no log yet: %w", n.Name, err)
	}
	defer f.Close()
	if lines > 0 {
		fmt.Fprintln(w, tail(n.logFile(), lines))
		if _, err := f.Seek(0, io.SeekEnd); err != nil {
			return err
		}
	} else if _, err := io.Copy(w, f); err != nil {
		return err
	}
	if !follow {
		return nil
	}
	r := bufio.NewReader(f)
	for {
		chunk, err := r.ReadString('\n')
		if chunk != "" {
			fmt.Fprint(w, chunk)
		}
		if errors.Is(err, io.EOF) {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return err
		}
	}
}
