package chaincode

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
	"github.com/medledger/medledger/runtime/ledger/fabricstub"
)

func formatUint(n uint64) string { return strconv.FormatUint(n, 10) }

// Receipt is what invokeReceipt and queryReceipt return: the result with what the call cost and did. Every
// field is deterministic, so endorsing peers agree on it.
type Receipt struct {
	Contract string `json:"contract"`
	Version  string `json:"version"`
	SHA256   string `json:"sha256"`
	Function string `json:"function"`
	// Result holds the contract's result when it is JSON, ResultBase64 when it is not.
	Result       json.RawMessage `json:"result,omitempty"`
	ResultBase64 []byte          `json:"resultBase64,omitempty"`
	GasUsed      uint64          `json:"gasUsed"`
	Writes       int             `json:"writes"`
	Events       []string        `json:"events,omitempty"`
	Log          []string        `json:"log,omitempty"`
}

func (cc *Chaincode) invoke(t *tx) ([]byte, error) {
	res, _, err := cc.call(t, false)
	return res.Output, err
}

func (cc *Chaincode) query(t *tx) ([]byte, error) {
	res, _, err := cc.call(t, true)
	return res.Output, err
}

func (cc *Chaincode) invokeReceipt(t *tx) ([]byte, error) { return cc.receipt(t, false) }
func (cc *Chaincode) queryReceipt(t *tx) ([]byte, error)  { return cc.receipt(t, true) }

func (cc *Chaincode) receipt(t *tx, readOnly bool) ([]byte, error) {
	res, e, err := cc.call(t, readOnly)
	if err != nil {
		return nil, err
	}
	r := Receipt{Contract: e.Name, Version: e.Version, SHA256: e.SHA256, Function: t.contractFn, GasUsed: res.GasUsed, Writes: res.Writes}
	if json.Valid(res.Output) {
		r.Result = res.Output
	} else if len(res.Output) > 0 {
		r.ResultBase64 = res.Output
	}
	for _, ev := range res.Events {
		r.Events = append(r.Events, ev.Name)
	}
	for _, l := range res.Log {
		r.Log = append(r.Log, string(l.Source)+": "+l.Message)
	}
	return json.Marshal(r)
}

// call runs args (contract, function[, argument bytes]) with the creator's identity: the contract's code as
// the registry names it, loaded from cache or lazily from the ledger.
func (cc *Chaincode) call(t *tx, readOnly bool) (engine.Result, Entry, error) {
	if err := t.wantArgs(2, 3, "(contract, function[, arguments])"); err != nil {
		return engine.Result{}, Entry{}, err
	}
	name, function := string(t.arg(0)), string(t.arg(1))
	t.contract, t.contractFn = name, function
	e, found, err := readEntryCached(t.stub, name)
	if err != nil {
		return engine.Result{}, e, err
	}
	if !found {
		return engine.Result{}, e, fail(statusNotFound, outcomeNotFound, "contract %q is not deployed", name)
	}
	c, err := cc.loader.get(t, e, nil, sourceLedger)
	if err != nil {
		return engine.Result{}, e, err
	}
	creator, err := callerCached(t.stub)
	if err != nil {
		return engine.Result{}, e, badRequest("%v", err)
	}
	ts, err := fabricstub.TxTime(t.stub)
	if err != nil {
		return engine.Result{}, e, badRequest("%v", err)
	}
	var state ledger.State = fabricstub.New(t.stub)
	if readOnly {
		state = readOnlyState{state}
	}
	res, err := c.Call(t.ctx, engine.Call{
		Function: function, Args: t.arg(2), State: state,
		Caller: creator.Identity, TxID: t.stub.GetTxID(), Timestamp: ts,
	})
	t.gasUsed = res.GasUsed
	if err != nil {
		return res, e, callError(err)
	}
	cc.metrics.gas.WithLabelValues(name).Add(float64(res.GasUsed))
	if !readOnly && len(res.Events) > 0 {
		evs := make([]fabricstub.Event, len(res.Events))
		for i, ev := range res.Events {
			evs[i] = fabricstub.Event{Name: ev.Name, Payload: ev.Payload}
		}
		if err := fabricstub.SetEvents(t.stub, name, evs); err != nil {
			return res, e, internal("events of %s: %v", name, err)
		}
	}
	return res, e, nil
}

// callError maps an engine error onto a response: the contract's own message for a contract error, the
// trap's kind and message for a trap.
func callError(err error) error {
	var ce *engine.ContractError
	var te *engine.TrapError
	switch {
	case errors.As(err, &ce):
		return fail(statusBadRequest, outcomeContractError, "%s", ce.Message)
	case errors.As(err, &te):
		return fail(statusInternal, outcomeTrap, "%s", te.Error())
	case errors.Is(err, engine.ErrInvalidCall):
		return badRequest("%v", err)
	case errors.Is(err, engine.ErrClosed):
		return fail(statusUnavailable, outcomeUnavailable, "contract unavailable (shutting down or replaced): retry")
	}
	return internal("%v", err)
}
