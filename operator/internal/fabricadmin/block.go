package fabricadmin

import (
	"errors"
	"fmt"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// channelIDOf reads the channel ID from a config block's first envelope header.
func channelIDOf(block *cb.Block) (string, error) {
	env, err := firstEnvelope(block)
	if err != nil {
		return "", err
	}
	payload := &cb.Payload{}
	if err := proto.Unmarshal(env.GetPayload(), payload); err != nil {
		return "", fmt.Errorf("fabricadmin: block payload: %w", err)
	}
	ch := &cb.ChannelHeader{}
	if err := proto.Unmarshal(payload.GetHeader().GetChannelHeader(), ch); err != nil {
		return "", fmt.Errorf("fabricadmin: block channel header: %w", err)
	}
	if ch.GetChannelId() == "" {
		return "", errors.New("fabricadmin: block has no channel ID")
	}
	return ch.GetChannelId(), nil
}

// configOf returns the channel config held by a config block.
func configOf(block *cb.Block) (*cb.Config, error) {
	env, err := firstEnvelope(block)
	if err != nil {
		return nil, err
	}
	payload := &cb.Payload{}
	if err := proto.Unmarshal(env.GetPayload(), payload); err != nil {
		return nil, fmt.Errorf("fabricadmin: block payload: %w", err)
	}
	cfgEnv := &cb.ConfigEnvelope{}
	if err := proto.Unmarshal(payload.GetData(), cfgEnv); err != nil {
		return nil, fmt.Errorf("fabricadmin: config envelope: %w", err)
	}
	if cfgEnv.GetConfig() == nil {
		return nil, errors.New("fabricadmin: block is not a config block")
	}
	return cfgEnv.GetConfig(), nil
}

func firstEnvelope(block *cb.Block) (*cb.Envelope, error) {
	if block == nil || len(block.GetData().GetData()) == 0 {
		return nil, errors.New("fabricadmin: block is empty")
	}
	env := &cb.Envelope{}
	if err := proto.Unmarshal(block.GetData().GetData()[0], env); err != nil {
		return nil, fmt.Errorf("fabricadmin: block envelope: %w", err)
	}
	return env, nil
}
