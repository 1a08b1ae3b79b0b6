package fabricadmin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-admin-sdk/pkg/chaincode"
	"google.golang.org/protobuf/proto"
)

// Definition is a chaincode definition as orgs approve and commit it on a channel.
type Definition struct {
	Channel  string
	Name     string
	Version  string
	Sequence int64
	// PackageID is the installed package this org's peers run; empty approves without running it.
	PackageID string
	// SignaturePolicy is an endorsement policy expression such as
	// "OutOf(2, 'Hospital1MSP.peer', 'Hospital2MSP.peer')". Empty means ChannelPolicy, or else the channel's
	// default (/Channel/Application/Endorsement, MAJORITY of the orgs in the default channel config).
	SignaturePolicy string
	// ChannelPolicy names a channel config policy, e.g. "/Channel/Application/Endorsement".
	ChannelPolicy string
	InitRequired  bool
}

// validate reports the first missing or conflicting field.
func (d Definition) validate() error {
	switch {
	case d.Channel == "":
		return errors.New("fabricadmin: chaincode definition has no channel")
	case d.Name == "":
		return errors.New("fabricadmin: chaincode definition has no name")
	case d.Version == "":
		return fmt.Errorf("fabricadmin: chaincode %s has no version", d.Name)
	case d.Sequence < 1:
		return fmt.Errorf("fabricadmin: chaincode %s sequence is %d, want >= 1", d.Name, d.Sequence)
	case d.SignaturePolicy != "" && d.ChannelPolicy != "":
		return fmt.Errorf("fabricadmin: chaincode %s sets both a signature policy and a channel policy", d.Name)
	}
	return nil
}

func (d Definition) sdk() (*chaincode.Definition, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	def := &chaincode.Definition{
		ChannelName:  d.Channel,
		PackageID:    d.PackageID,
		Name:         d.Name,
		Version:      d.Version,
		Sequence:     d.Sequence,
		InitRequired: d.InitRequired,
	}
	if d.SignaturePolicy != "" || d.ChannelPolicy != "" {
		pol, err := chaincode.NewApplicationPolicy(d.SignaturePolicy, d.ChannelPolicy)
		if err != nil {
			return nil, fmt.Errorf("fabricadmin: chaincode %s endorsement policy %q: %w", d.Name, d.SignaturePolicy, err)
		}
		def.ApplicationPolicy = pol
	}
	return def, nil
}

// Install installs a chaincode package on the peer and returns its package ID. Installing a package the peer
// already has is success.
//
// # Errors
//   - pkg is not a chaincode package;
//   - the peer refuses (its message is included) or is unreachable.
func (p *Peer) Install(ctx context.Context, pkg []byte) (string, error) {
	id, err := chaincode.PackageID(bytes.NewReader(pkg))
	if err != nil {
		return "", fmt.Errorf("fabricadmin: install: %w", err)
	}
	installed, err := p.Installed(ctx)
	if err != nil {
		return "", err
	}
	for _, have := range installed {
		if have == id {
			return id, nil
		}
	}
	if _, err := p.lc.Install(ctx, bytes.NewReader(pkg)); err != nil {
		if strings.Contains(describe(err), "already successfully installed") {
			return id, nil
		}
		return "", fmt.Errorf("fabricadmin: install %s: %s", id, describe(err))
	}
	return id, nil
}

// Installed lists the package IDs installed on the peer.
//
// # Errors
//   - the peer is unreachable or refuses the query.
func (p *Peer) Installed(ctx context.Context) ([]string, error) {
	res, err := p.lc.QueryInstalled(ctx)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: query installed: %s", describe(err))
	}
	ids := make([]string, 0, len(res.GetInstalledChaincodes()))
	for _, c := range res.GetInstalledChaincodes() {
		ids = append(ids, c.GetPackageId())
	}
	return ids, nil
}

// Approve approves def for the peer's org (endorsed by the org's own peers, ordered, committed). Approving a
// definition the org has already approved is success.
//
// # Errors
//   - def is incomplete or its policy does not parse;
//   - the org approved different content at this sequence, or the sequence is not the next one;
//   - the peer or orderer is unreachable.
func (p *Peer) Approve(ctx context.Context, def Definition) error {
	sdkDef, err := def.sdk()
	if err != nil {
		return err
	}
	if approved, err := p.approved(ctx, sdkDef); err == nil && approved {
		return nil
	}
	if err := p.gw.Approve(ctx, sdkDef); err != nil {
		msg := describe(err)
		// Fabric refuses to re-approve identical content; that is exactly the state we want.
		if strings.Contains(msg, "with unchanged content") ||
			(strings.Contains(msg, "attempted to redefine the current committed sequence") && !strings.Contains(msg, "different parameters")) {
			return nil
		}
		return fmt.Errorf("fabricadmin: %s approve %s/%s seq %d: %s", p.id.mspID, def.Channel, def.Name, def.Sequence, msg)
	}
	return nil
}

// approved reports whether the org's approval at def's sequence matches def.
func (p *Peer) approved(ctx context.Context, def *chaincode.Definition) (bool, error) {
	got, err := p.gw.QueryApproved(ctx, def.ChannelName, def.Name, def.Sequence)
	if err != nil {
		return false, err
	}
	want, err := validationParameter(def)
	if err != nil {
		return false, err
	}
	return got.GetVersion() == def.Version &&
		got.GetSource().GetLocalPackage().GetPackageId() == def.PackageID &&
		got.GetInitRequired() == def.InitRequired &&
		(want == nil || bytes.Equal(got.GetValidationParameter(), want)), nil
}

// Commit commits def to its channel once enough orgs approved it. Committing a definition already committed at
// that sequence is success.
//
// # Errors
//   - def is incomplete;
//   - not enough orgs approved (the message lists the approvals), or a later sequence is committed;
//   - the peer or orderer is unreachable.
func (p *Peer) Commit(ctx context.Context, def Definition) error {
	sdkDef, err := def.sdk()
	if err != nil {
		return err
	}
	if c, err := p.gw.QueryCommittedWithName(ctx, def.Channel, def.Name); err == nil && c.GetSequence() >= def.Sequence {
		if c.GetSequence() == def.Sequence && c.GetVersion() == def.Version {
			return nil
		}
		return fmt.Errorf("fabricadmin: commit %s/%s seq %d: channel already has sequence %d (version %s)", def.Channel, def.Name, def.Sequence, c.GetSequence(), c.GetVersion())
	}
	if err := p.gw.Commit(ctx, sdkDef); err != nil {
		msg := describe(err)
		if ready, rerr := p.gw.CheckCommitReadiness(ctx, sdkDef); rerr == nil {
			msg += fmt.Sprintf(" (approvals: %v)", ready.GetApprovals())
		}
		return fmt.Errorf("fabricadmin: commit %s/%s seq %d: %s", def.Channel, def.Name, def.Sequence, msg)
	}
	return nil
}

// Committed is a chaincode definition as committed on a channel.
type Committed struct {
	Name      string
	Version   string
	Sequence  int64
	Approvals map[string]bool
}

// Committed returns the committed definition of chaincode name on channelName.
//
// # Errors
//   - nothing is committed under that name (the peer's "namespace ... is not defined" is included);
//   - the peer is unreachable.
func (p *Peer) Committed(ctx context.Context, channelName, name string) (Committed, error) {
	c, err := p.gw.QueryCommittedWithName(ctx, channelName, name)
	if err != nil {
		return Committed{}, fmt.Errorf("fabricadmin: committed %s/%s: %s", channelName, name, describe(err))
	}
	return Committed{Name: name, Version: c.GetVersion(), Sequence: c.GetSequence(), Approvals: c.GetApprovals()}, nil
}

// validationParameter is the marshalled ApplicationPolicy the peer stores, or nil for the channel default.
func validationParameter(def *chaincode.Definition) ([]byte, error) {
	if def.ApplicationPolicy == nil {
		return nil, nil
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(def.ApplicationPolicy)
}
