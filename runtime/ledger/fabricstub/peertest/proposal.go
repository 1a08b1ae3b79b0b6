package peertest

import (
	"crypto/rand"
	"fmt"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// signedProposal builds the proposal the shim parses for the creator, timestamp and transient data. It is
// not signed: the peer validates signatures before the chaincode runs, and this peer trusts its callers.
func signedProposal(channel, chaincode string, prop Proposal) (*pb.SignedProposal, error) {
	nonce := make([]byte, 24)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	chdr, err := proto.Marshal(&cb.ChannelHeader{
		Type: int32(cb.HeaderType_ENDORSER_TRANSACTION), ChannelId: channel, TxId: prop.TxID,
		Timestamp: timestamppb.New(prop.Timestamp),
	})
	if err != nil {
		return nil, err
	}
	shdr, err := proto.Marshal(&cb.SignatureHeader{Creator: prop.Creator.Serialize(), Nonce: nonce})
	if err != nil {
		return nil, err
	}
	hdr, err := proto.Marshal(&cb.Header{ChannelHeader: chdr, SignatureHeader: shdr})
	if err != nil {
		return nil, err
	}
	spec, err := proto.Marshal(&pb.ChaincodeInvocationSpec{ChaincodeSpec: &pb.ChaincodeSpec{
		ChaincodeId: &pb.ChaincodeID{Name: chaincode}, Input: &pb.ChaincodeInput{Args: prop.Args},
	}})
	if err != nil {
		return nil, err
	}
	payload, err := proto.Marshal(&pb.ChaincodeProposalPayload{Input: spec, TransientMap: prop.Transient})
	if err != nil {
		return nil, err
	}
	raw, err := proto.Marshal(&pb.Proposal{Header: hdr, Payload: payload})
	if err != nil {
		return nil, fmt.Errorf("peertest: proposal: %w", err)
	}
	return &pb.SignedProposal{ProposalBytes: raw}, nil
}
