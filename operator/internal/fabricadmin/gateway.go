package fabricadmin

import (
	"context"
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	gwid "github.com/hyperledger/fabric-gateway/pkg/identity"
	"google.golang.org/grpc"
)

// Gateway submits and evaluates transactions through a peer's Fabric Gateway service as one client identity.
type Gateway struct {
	gw *client.Gateway
}

// Tx names a chaincode function call.
type Tx struct {
	Channel   string
	Chaincode string
	Function  string
	Args      [][]byte
	// Transient data goes to the chaincode but not on the ledger.
	Transient map[string][]byte
	// Orgs, when set, are the only orgs asked to endorse (Submit) or to evaluate (Evaluate); otherwise the
	// Gateway picks peers that satisfy the chaincode's endorsement policy.
	Orgs []string
}

// CommittedTx describes a transaction that committed as valid.
type CommittedTx struct {
	Result        []byte
	TransactionID string
	BlockNumber   uint64
}

// Connect returns a Gateway on conn (see Dial) for id.
//
// # Errors
//   - conn or id is nil.
func Connect(conn grpc.ClientConnInterface, id *Identity) (*Gateway, error) {
	if conn == nil || id == nil {
		return nil, errors.New("fabricadmin: Connect needs a connection and an identity")
	}
	x509id, err := gwid.NewX509Identity(id.mspID, id.cert)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: gateway identity: %w", err)
	}
	sign, err := gwid.NewPrivateKeySign(id.key)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: gateway signer: %w", err)
	}
	gw, err := client.Connect(x509id, client.WithSign(sign), client.WithClientConnection(conn))
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: gateway: %w", err)
	}
	return &Gateway{gw: gw}, nil
}

// Close releases the Gateway; the underlying connection stays open for its owner to close.
func (g *Gateway) Close() error { return g.gw.Close() }

// Submit endorses tx, sends it for ordering and waits until it commits.
//
// # Errors
//   - tx names no channel, chaincode or function;
//   - endorsement fails (the chaincode's error and each peer's reason are in the message);
//   - the transaction commits as invalid: ValidationCode(err) returns the code, e.g.
//     ENDORSEMENT_POLICY_FAILURE when too few orgs endorsed;
//   - ctx ends first.
func (g *Gateway) Submit(ctx context.Context, tx Tx) (CommittedTx, error) {
	prop, err := g.proposal(tx)
	if err != nil {
		return CommittedTx{}, err
	}
	endorsed, err := prop.EndorseWithContext(ctx)
	if err != nil {
		return CommittedTx{}, fmt.Errorf("fabricadmin: endorse %s.%s: %s: %w", tx.Chaincode, tx.Function, describe(err), err)
	}
	commit, err := endorsed.SubmitWithContext(ctx)
	if err != nil {
		return CommittedTx{}, fmt.Errorf("fabricadmin: submit %s.%s: %s: %w", tx.Chaincode, tx.Function, describe(err), err)
	}
	status, err := commit.StatusWithContext(ctx)
	if err != nil {
		return CommittedTx{}, fmt.Errorf("fabricadmin: commit status of %s: %s: %w", commit.TransactionID(), describe(err), err)
	}
	out := CommittedTx{Result: endorsed.Result(), TransactionID: status.TransactionID, BlockNumber: status.BlockNumber}
	if !status.Successful {
		return out, &CommitError{TransactionID: status.TransactionID, Code: status.Code}
	}
	return out, nil
}

// Evaluate runs tx on one peer without ordering it and returns the chaincode's result.
//
// # Errors
//   - tx names no channel, chaincode or function;
//   - the chaincode returns an error (included) or no peer can run it;
//   - ctx ends first.
func (g *Gateway) Evaluate(ctx context.Context, tx Tx) ([]byte, error) {
	prop, err := g.proposal(tx)
	if err != nil {
		return nil, err
	}
	res, err := prop.EvaluateWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: evaluate %s.%s: %s: %w", tx.Chaincode, tx.Function, describe(err), err)
	}
	return res, nil
}

// ChaincodeEvents streams events emitted by chaincode on channelName by committed valid transactions,
// starting at block startBlock, until ctx ends.
//
// # Errors
//   - the peer refuses the event request.
func (g *Gateway) ChaincodeEvents(ctx context.Context, channelName, chaincode string, startBlock uint64) (<-chan *client.ChaincodeEvent, error) {
	ch, err := g.gw.GetNetwork(channelName).ChaincodeEvents(ctx, chaincode, client.WithStartBlock(startBlock))
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: chaincode events of %s/%s: %s", channelName, chaincode, describe(err))
	}
	return ch, nil
}

func (g *Gateway) proposal(tx Tx) (*client.Proposal, error) {
	if tx.Channel == "" || tx.Chaincode == "" || tx.Function == "" {
		return nil, fmt.Errorf("fabricadmin: transaction needs a channel, chaincode and function (got %q, %q, %q)", tx.Channel, tx.Chaincode, tx.Function)
	}
	opts := []client.ProposalOption{client.WithBytesArguments(tx.Args...)}
	if len(tx.Transient) > 0 {
		opts = append(opts, client.WithTransient(tx.Transient))
	}
	if len(tx.Orgs) > 0 {
		opts = append(opts, client.WithEndorsingOrganizations(tx.Orgs...))
	}
	prop, err := g.gw.GetNetwork(tx.Channel).GetContract(tx.Chaincode).NewProposal(tx.Function, opts...)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: proposal %s.%s: %w", tx.Chaincode, tx.Function, err)
	}
	return prop, nil
}
