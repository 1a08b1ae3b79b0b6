package chaincode

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/medledger/medledger/runtime/ledger/fabricstub"
)

// TransientModule is the transient-data field that carries module bytes to deploy and upgrade. Transient data
// reaches the endorsing peers but not the block, so the module travels in the transaction once (as the write
// of code/<sha256>) instead of twice; a second argument works too, for small modules.
const TransientModule = "module"

func (cc *Chaincode) deploy(t *tx) ([]byte, error)  { return cc.install(t, false) }
func (cc *Chaincode) upgrade(t *tx) ([]byte, error) { return cc.install(t, true) }

// install is deploy and upgrade: checks who asks, validates, compiles and instruments the module on this peer,
// then writes the code (once per sha256), the registry entry and its history, each with the governance policy
// as key-level endorsement policy.
func (cc *Chaincode) install(t *tx, upgrade bool) ([]byte, error) {
	if err := t.wantArgs(1, 2, `(spec JSON[, module bytes]); the module may instead come in transient field "module"`); err != nil {
		return nil, err
	}
	creator, gov, err := cc.authorizeAdmin(t)
	if err != nil {
		return nil, err
	}
	spec, _, err := parseDeploySpec(t.arg(0))
	if err != nil {
		return nil, badRequest("%s: %v", t.fn, err)
	}
	wasm, err := moduleBytes(t)
	if err != nil {
		return nil, err
	}
	if wasm != nil {
		sum := sha256.Sum256(wasm)
		got := hex.EncodeToString(sum[:])
		if spec.SHA256 != "" && spec.SHA256 != got {
			return nil, badRequest("%s %s: the module sent hashes to %s, not the declared sha256 %s (altered in transit?)", t.fn, spec.Name, got, spec.SHA256)
		}
		spec.SHA256 = got
	} else if spec.SHA256 == "" {
		return nil, badRequest(`%s %s: no module: send its bytes (transient field "module" or a second argument) or name code already stored by sha256`, t.fn, spec.Name)
	}
	cur, found, err := readEntry(t.stub, spec.Name)
	if err != nil {
		return nil, err
	}
	switch {
	case upgrade && !found:
		return nil, fail(statusNotFound, outcomeNotFound, "contract %s is not deployed: use deploy", spec.Name)
	case !upgrade && found:
		return nil, fail(statusConflict, outcomeConflict, "contract %s is already deployed (version %s): use upgrade", spec.Name, cur.Version)
	case upgrade && cur.Version == spec.Version:
		return nil, fail(statusConflict, outcomeConflict, "contract %s is already at version %s: an upgrade needs a new version", spec.Name, spec.Version)
	}
	var info CodeInfo
	stored, err := getJSON(t.stub, codeInfoKey(spec.SHA256), &info)
	if err != nil {
		return nil, err
	}
	source := sourceDeploy
	if wasm == nil {
		if !stored {
			return nil, fail(statusPrecondition, outcomePrecondition, "%s %s: module %s is not on the ledger: send its bytes", t.fn, spec.Name, spec.SHA256)
		}
		if wasm, err = cc.loader.fetch(t.stub, spec.SHA256); err != nil {
			return nil, err
		}
		source = sourceLedger
	}
	seq, err := readSequence(t.stub)
	if err != nil {
		return nil, err
	}
	ts, err := fabricstub.TxTime(t.stub)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	seq++
	e := Entry{
		Name: spec.Name, Version: spec.Version, SHA256: spec.SHA256, Isolation: spec.Isolation, Limits: spec.Limits,
		Sequence: seq, DeployedBy: Principal{MSPID: creator.Identity.MSPID, ID: creator.Identity.ID},
		TxID: t.stub.GetTxID(), Timestamp: ts,
	}
	if upgrade {
		e.PreviousVersion = cur.Version
	}
	// The validation gate, compilation and initialisation: the engine's own checks, on every endorsing peer.
	c, err := cc.loader.get(t, e, wasm, source)
	if err != nil {
		return nil, err
	}
	mi := c.Info()
	e.Size, e.ABIVersion = mi.Size, mi.ABIVersion
	e.Metering = cc.meteringID()

	policy, err := gov.Policy()
	if err != nil {
		return nil, internal("governance policy: %v", err)
	}
	if !stored {
		if err := putRaw(t.stub, codeKey(e.SHA256), wasm, policy); err != nil {
			return nil, err
		}
		ci := CodeInfo{SHA256: e.SHA256, Size: len(wasm), TxID: e.TxID, Timestamp: ts}
		if err := putJSON(t.stub, codeInfoKey(e.SHA256), ci, policy); err != nil {
			return nil, err
		}
	}
	if err := putJSON(t.stub, entryKey(e.Name), e, policy); err != nil {
		return nil, err
	}
	if err := putJSON(t.stub, historyKey(e.Name, seq), e, policy); err != nil {
		return nil, err
	}
	// The sequence key already carries the governance policy: writing it is what makes Fabric demand that
	// policy's endorsements even for a name deployed for the first time.
	if err := putRaw(t.stub, sequenceKey, []byte(strconv.FormatUint(seq, 10)), nil); err != nil {
		return nil, err
	}
	return cc.registryEvent(t, map[bool]string{false: "ContractDeployed", true: "ContractUpgraded"}[upgrade], e)
}

// meteringID names how this peer meters gas: the meter configuration's hash, or "off".
func (cc *Chaincode) meteringID() string {
	ec := cc.eng.Config()
	if !ec.Metering() {
		return "off"
	}
	return ec.Meter().Hash()
}

// moduleBytes returns the module sent with the transaction, or nil.
func moduleBytes(t *tx) ([]byte, error) {
	tm, err := t.stub.GetTransient()
	if err != nil {
		return nil, internal("transient data: %v", err)
	}
	fromTransient, fromArgs := tm[TransientModule], t.arg(1)
	if len(fromTransient) > 0 && len(fromArgs) > 0 {
		return nil, badRequest(`%s: the module came both as transient field "module" and as an argument; send it once`, t.fn)
	}
	if len(fromTransient) > 0 {
		return fromTransient, nil
	}
	if len(fromArgs) > 0 {
		return fromArgs, nil
	}
	return nil, nil
}

// authorizeAdmin checks that the creator may change the registry: an admin (NodeOU) of a member organisation,
// with governance configured. Fabric enforces the governance endorsement policy on top.
func (cc *Chaincode) authorizeAdmin(t *tx) (fabricstub.Creator, Governance, error) {
	creator, err := fabricstub.Caller(t.stub)
	if err != nil {
		return creator, Governance{}, badRequest("%s: %v", t.fn, err)
	}
	if !creator.IsAdmin() {
		return creator, Governance{}, fail(statusForbidden, outcomeForbidden, "%s needs an admin identity: %s of %s has role %s",
			t.fn, creator.Identity.Subject, creator.Identity.MSPID, creator.Identity.Role)
	}
	gov, found, err := readGovernance(t.stub)
	if err != nil {
		return creator, gov, err
	}
	if !found {
		return creator, gov, fail(statusPrecondition, outcomePrecondition, "%s: governance is not configured: an admin must call setGovernance first", t.fn)
	}
	if !gov.IsMember(creator.Identity.MSPID) {
		return creator, gov, fail(statusForbidden, outcomeForbidden, "%s: %s is not a member of the governance (members: %v)", t.fn, creator.Identity.MSPID, gov.Members)
	}
	return creator, gov, nil
}
