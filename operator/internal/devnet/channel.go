package devnet

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// setupChannel joins every orderer and peer to the channel, sets each hospital's first peer as its anchor peer
// and waits until discovery on every peer lists every peer. Each call is idempotent, so a restart runs it all
// again at little cost.
func (d *Devnet) setupChannel(ctx context.Context) error {
	raw, err := os.ReadFile(d.st.Genesis)
	if err != nil {
		return fmt.Errorf("devnet: genesis block: %w", err)
	}
	block := &cb.Block{}
	if err := proto.Unmarshal(raw, block); err != nil {
		return fmt.Errorf("devnet: genesis block %s: %w", d.st.Genesis, err)
	}
	p := d.progress
	if err := p.step(fmt.Sprintf("joining %d orderer(s) to channel %s", len(d.Orderers()), d.st.Channel), func() error {
		return d.eachNode(KindOrderer, func(n nodeState) error {
			oa, err := d.ordererAdmin(n)
			if err != nil {
				return err
			}
			return oa.Join(ctx, block)
		})
	}); err != nil {
		return err
	}
	if err := p.step(fmt.Sprintf("joining %d peer(s) to channel %s", len(d.allPeers()), d.st.Channel), func() error {
		return d.eachNode(KindPeer, func(n nodeState) error {
			peer, conn, err := d.AdminPeer(n.Name)
			if err != nil {
				return err
			}
			defer conn.Close()
			if err := peer.JoinChannel(ctx, block); err != nil {
				return fmt.Errorf("devnet: %s: %w", n.Name, err)
			}
			return nil
		})
	}); err != nil {
		return err
	}
	if err := p.step("setting anchor peers", func() error { return d.setAnchors(ctx) }); err != nil {
		return err
	}
	return p.step("waiting until every peer discovers every peer", func() error { return d.waitDiscovery(ctx) })
}

func (d *Devnet) setAnchors(ctx context.Context) error {
	orderer, ok := d.st.node(d.Orderers()[0])
	if !ok {
		return fmt.Errorf("devnet: no orderer")
	}
	oconn, err := d.dialNode(orderer)
	if err != nil {
		return err
	}
	defer oconn.Close()
	// Sequentially: each update changes the channel config the next one is computed from.
	for _, msp := range d.Hospitals() {
		first := d.Peers(msp)[0]
		n, _ := d.st.node(first)
		peer, conn, err := d.AdminPeer(first)
		if err != nil {
			return err
		}
		err = peer.SetAnchorPeers(ctx, oconn, d.st.Channel, []string{n.Address})
		conn.Close()
		if err != nil {
			return fmt.Errorf("devnet: anchor peer of %s: %w", msp, err)
		}
	}
	return nil
}

// waitDiscovery waits until each peer's discovery service lists all peers of all hospitals: before that the
// Gateway cannot gather endorsements from every org.
func (d *Devnet) waitDiscovery(ctx context.Context) error {
	want := len(d.allPeers())
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return d.eachNode(KindPeer, func(n nodeState) error {
		peer, conn, err := d.AdminPeer(n.Name)
		if err != nil {
			return err
		}
		defer conn.Close()
		var last map[string][]string
		for {
			members, err := peer.ChannelMembers(ctx, d.st.Channel)
			if err == nil {
				last = members
				got := 0
				for _, m := range members {
					got += len(m)
				}
				if got >= want {
					return nil
				}
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("devnet: %s sees %v on %s, want all %d peers (gossip between orgs needs the anchor peers): %w", n.Name, last, d.st.Channel, want, ctx.Err())
			case <-time.After(200 * time.Millisecond):
			}
		}
	})
}

// eachNode runs fn for every node of kind concurrently and returns the first error.
func (d *Devnet) eachNode(kind string, fn func(nodeState) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, n := range d.st.Nodes {
		if n.Kind != kind {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(n); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}
