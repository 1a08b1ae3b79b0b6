package channel

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// ConfigFromBlock returns the channel configuration held by a config block (such as a
// genesis block from [GenesisBlock]).
//
// # Errors
//   - the block does not hold exactly one envelope, or a layer does not unmarshal.
func ConfigFromBlock(block *cb.Block) (*cb.Config, error) {
	_, _, ce, err := openConfigBlock(block)
	if err != nil {
		return nil, err
	}
	return ce.Config, nil
}

func openConfigBlock(block *cb.Block) (*cb.Envelope, *cb.Payload, *cb.ConfigEnvelope, error) {
	if len(block.GetData().GetData()) != 1 {
		return nil, nil, nil, errors.New("config block must hold exactly one envelope")
	}
	env := &cb.Envelope{}
	if err := proto.Unmarshal(block.Data.Data[0], env); err != nil {
		return nil, nil, nil, fmt.Errorf("envelope: %w", err)
	}
	payload := &cb.Payload{}
	if err := proto.Unmarshal(env.Payload, payload); err != nil {
		return nil, nil, nil, fmt.Errorf("payload: %w", err)
	}
	ce := &cb.ConfigEnvelope{}
	if err := proto.Unmarshal(payload.Data, ce); err != nil {
		return nil, nil, nil, fmt.Errorf("config envelope: %w", err)
	}
	if ce.Config.GetChannelGroup() == nil {
		return nil, nil, nil, errors.New("config envelope has no channel group")
	}
	return env, payload, ce, nil
}

// rewriteBlockConfig applies fn to the configuration inside a config block and re-encodes
// the block, recomputing its data hash.
func rewriteBlockConfig(block *cb.Block, fn func(*cb.Config) error) error {
	env, payload, ce, err := openConfigBlock(block)
	if err != nil {
		return err
	}
	if err := fn(ce.Config); err != nil {
		return err
	}
	if payload.Data, err = deterministic.Marshal(ce); err != nil {
		return err
	}
	if env.Payload, err = deterministic.Marshal(payload); err != nil {
		return err
	}
	if block.Data.Data[0], err = deterministic.Marshal(env); err != nil {
		return err
	}
	sum := sha256.Sum256(bytes.Join(block.Data.Data, nil))
	block.Header.DataHash = sum[:]
	return nil
}
