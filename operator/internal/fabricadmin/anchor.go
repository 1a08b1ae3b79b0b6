package fabricadmin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/hyperledger/fabric-config/configtx"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	ab "github.com/hyperledger/fabric-protos-go-apiv2/orderer"
	"google.golang.org/grpc"
)

// SetAnchorPeers makes anchors (host:port gossip endpoints) the anchor peers of the admin's org on channelName:
// it reads the channel config from the peer, computes the update with fabric-config, signs it as the org admin,
// broadcasts it to the orderer on ordererConn and waits until the peer has applied it. When the config already lists exactly these anchors it does
// nothing. Anchor peers let other orgs' peers (and the Gateway's discovery) find this org's peers.
//
// # Errors
//   - anchors is empty or holds an address that is not host:port;
//   - the admin's org is not an application org of the channel;
//   - the peer or orderer is unreachable, or the orderer rejects the update (its status and info are included).
func (p *Peer) SetAnchorPeers(ctx context.Context, ordererConn grpc.ClientConnInterface, channelName string, anchors []string) error {
	want, err := parseAnchors(anchors)
	if err != nil {
		return err
	}
	block, err := p.ConfigBlock(ctx, channelName)
	if err != nil {
		return err
	}
	cfg, err := configOf(block)
	if err != nil {
		return err
	}
	tx := configtx.New(cfg)
	org := tx.Application().Organization(p.id.mspID)
	if org == nil {
		return fmt.Errorf("fabricadmin: anchor peers: %s is not an application org of channel %s", p.id.mspID, channelName)
	}
	have, err := org.AnchorPeers()
	if err != nil {
		return fmt.Errorf("fabricadmin: anchor peers of %s: %w", p.id.mspID, err)
	}
	if sameAddresses(have, want) {
		return nil
	}
	for _, a := range have {
		if !slices.Contains(want, a) {
			if err := org.RemoveAnchorPeer(a); err != nil {
				return fmt.Errorf("fabricadmin: remove anchor peer %s:%d: %w", a.Host, a.Port, err)
			}
		}
	}
	for _, a := range want {
		if !slices.Contains(have, a) {
			if err := org.AddAnchorPeer(a); err != nil {
				return fmt.Errorf("fabricadmin: add anchor peer %s:%d: %w", a.Host, a.Port, err)
			}
		}
	}
	update, err := tx.ComputeMarshaledUpdate(channelName)
	if err != nil {
		return fmt.Errorf("fabricadmin: anchor peer update: %w", err)
	}
	signer := &configtx.SigningIdentity{Certificate: p.id.cert, PrivateKey: p.id.key, MSPID: p.id.mspID}
	sig, err := signer.CreateConfigSignature(update)
	if err != nil {
		return fmt.Errorf("fabricadmin: sign anchor peer update: %w", err)
	}
	env, err := configtx.NewEnvelope(update, sig)
	if err != nil {
		return fmt.Errorf("fabricadmin: anchor peer update envelope: %w", err)
	}
	if err := signer.SignEnvelope(env); err != nil {
		return fmt.Errorf("fabricadmin: sign anchor peer envelope: %w", err)
	}
	if err := Broadcast(ctx, ordererConn, env); err != nil {
		return err
	}
	return p.waitAnchors(ctx, channelName, want)
}

// waitAnchors returns once the peer's config shows want, so the next caller reads the updated config (a
// second update computed from the stale one would be rejected as a version conflict).
func (p *Peer) waitAnchors(ctx context.Context, channelName string, want []configtx.Address) error {
	for {
		if block, err := p.ConfigBlock(ctx, channelName); err == nil {
			if cfg, err := configOf(block); err == nil {
				tx := configtx.New(cfg)
				if org := tx.Application().Organization(p.id.mspID); org != nil {
					if have, err := org.AnchorPeers(); err == nil && sameAddresses(have, want) {
						return nil
					}
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("fabricadmin: anchor peers of %s sent, but the peer has not applied them: %w", p.id.mspID, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Broadcast sends a signed envelope to an orderer and waits for its verdict. SERVICE_UNAVAILABLE (no Raft
// leader yet, e.g. right after the orderer joined the channel) is retried until ctx ends.
//
// # Errors
//   - the orderer is unreachable or answers with a status other than SUCCESS (status and info included);
//   - ctx ends while the orderer is still unavailable.
func Broadcast(ctx context.Context, ordererConn grpc.ClientConnInterface, env *cb.Envelope) error {
	for {
		status, info, err := broadcastOnce(ctx, ordererConn, env)
		if err != nil {
			return err
		}
		switch status {
		case cb.Status_SUCCESS:
			return nil
		case cb.Status_SERVICE_UNAVAILABLE:
			select {
			case <-ctx.Done():
				return fmt.Errorf("fabricadmin: orderer still unavailable (%s): %w", info, ctx.Err())
			case <-time.After(200 * time.Millisecond):
			}
		default:
			return fmt.Errorf("fabricadmin: orderer rejected the envelope: %s: %s", status, info)
		}
	}
}

func broadcastOnce(ctx context.Context, ordererConn grpc.ClientConnInterface, env *cb.Envelope) (cb.Status, string, error) {
	stream, err := ab.NewAtomicBroadcastClient(ordererConn).Broadcast(ctx)
	if err != nil {
		return 0, "", fmt.Errorf("fabricadmin: broadcast: %w", err)
	}
	defer func() { _ = stream.CloseSend() }()
	if err := stream.Send(env); err != nil {
		return 0, "", fmt.Errorf("fabricadmin: broadcast send: %w", err)
	}
	resp, err := stream.Recv()
	if err != nil {
		return 0, "", fmt.Errorf("fabricadmin: broadcast reply: %w", err)
	}
	return resp.GetStatus(), resp.GetInfo(), nil
}

func parseAnchors(anchors []string) ([]configtx.Address, error) {
	if len(anchors) == 0 {
		return nil, errors.New("fabricadmin: no anchor peers given")
	}
	out := make([]configtx.Address, 0, len(anchors))
	for _, a := range anchors {
		host, portStr, err := net.SplitHostPort(a)
		if err != nil || host == "" {
			return nil, fmt.Errorf("fabricadmin: anchor peer %q is not host:port", a)
		}
		port, err := strconv.Atoi(portStr)
		if err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("fabricadmin: anchor peer %q has an invalid port", a)
		}
		out = append(out, configtx.Address{Host: host, Port: port})
	}
	return out, nil
}

func sameAddresses(a, b []configtx.Address) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
