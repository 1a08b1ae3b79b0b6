package fabricadmin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hyperledger/fabric-admin-sdk/pkg/chaincode"
	"github.com/hyperledger/fabric-admin-sdk/pkg/channel"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/grpc"
)

// Peer is one peer, addressed as an admin of its org (channel joins and installs need the org's admin role).
type Peer struct {
	conn grpc.ClientConnInterface
	id   *Identity
	lc   *chaincode.Peer
	gw   *chaincode.Gateway
}

// NewPeer returns a Peer reached over conn (see Dial) acting as admin.
//
// # Errors
//   - conn or admin is nil.
func NewPeer(conn grpc.ClientConnInterface, admin *Identity) (*Peer, error) {
	if conn == nil || admin == nil {
		return nil, errors.New("fabricadmin: NewPeer needs a connection and an admin identity")
	}
	return &Peer{
		conn: conn,
		id:   admin,
		lc:   chaincode.NewPeer(conn, admin.signer),
		gw:   chaincode.NewGateway(conn, admin.signer),
	}, nil
}

// JoinChannel joins the peer to the channel whose genesis block is block. Joining a channel the peer already
// has is success.
//
// # Errors
//   - the block carries no channel ID;
//   - the peer refuses (its message is included) or is unreachable.
func (p *Peer) JoinChannel(ctx context.Context, block *cb.Block) error {
	name, err := channelIDOf(block)
	if err != nil {
		return err
	}
	joined, err := p.Channels(ctx)
	if err != nil {
		return err
	}
	if slices.Contains(joined, name) {
		return nil
	}
	if err := channel.JoinChannel(ctx, p.conn, p.id.signer, block); err != nil {
		// A concurrent join can win the race between the query above and this call.
		if strings.Contains(err.Error(), "already exists") {
			return nil
		}
		return fmt.Errorf("fabricadmin: peer join %s: %s", name, describe(err))
	}
	return nil
}

// Channels lists the channels the peer has joined.
//
// # Errors
//   - the peer is unreachable or refuses the query.
func (p *Peer) Channels(ctx context.Context) ([]string, error) {
	infos, err := channel.ListChannelOnPeer(ctx, p.conn, p.id.signer)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: list peer channels: %s", describe(err))
	}
	names := make([]string, 0, len(infos))
	for _, c := range infos {
		names = append(names, c.GetChannelId())
	}
	return names, nil
}

// Height returns the peer's ledger height on channelName (number of blocks, so the last block is Height-1).
//
// # Errors
//   - the peer has not joined the channel or is unreachable.
func (p *Peer) Height(ctx context.Context, channelName string) (uint64, error) {
	info, err := channel.GetBlockChainInfo(ctx, p.conn, p.id.signer, channelName)
	if err != nil {
		return 0, fmt.Errorf("fabricadmin: height of %s: %s", channelName, describe(err))
	}
	return info.GetHeight(), nil
}

// ConfigBlock returns the latest config block of channelName as the peer has it.
//
// # Errors
//   - the peer has not joined the channel or is unreachable.
func (p *Peer) ConfigBlock(ctx context.Context, channelName string) (*cb.Block, error) {
	b, err := channel.GetConfigBlock(ctx, p.conn, p.id.signer, channelName)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: config block of %s: %s", channelName, describe(err))
	}
	return b, nil
}
