package fabricadmin

import (
	"context"
	"fmt"

	"github.com/hyperledger/fabric-admin-sdk/pkg/discovery"
	"github.com/hyperledger/fabric-protos-go-apiv2/gossip"
	"google.golang.org/protobuf/proto"
)

// ChannelMembers asks the peer's discovery service which peers it sees on channelName, by MSP ID, as gossip
// endpoints. The Gateway endorses only on peers listed here, so a cross-org transaction needs every org present.
//
// # Errors
//   - the peer is unreachable, has not joined the channel, or answers with a discovery error.
func (p *Peer) ChannelMembers(ctx context.Context, channelName string) (map[string][]string, error) {
	res, err := discovery.NewPeer(p.conn, p.id.signer).PeerMembershipQuery(ctx, channelName, nil)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: discovery on %s: %s", channelName, describe(err))
	}
	out := map[string][]string{}
	for msp, peers := range res.GetPeersByOrg() {
		for _, pe := range peers.GetPeers() {
			out[msp] = append(out[msp], endpointOf(pe.GetMembershipInfo().GetPayload()))
		}
	}
	return out, nil
}

// endpointOf reads the gossip endpoint from a signed gossip alive message; "" when it does not decode.
func endpointOf(payload []byte) string {
	msg := &gossip.GossipMessage{}
	if err := proto.Unmarshal(payload, msg); err != nil {
		return ""
	}
	return msg.GetAliveMsg().GetMembership().GetEndpoint()
}
