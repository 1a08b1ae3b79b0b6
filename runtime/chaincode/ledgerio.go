package chaincode

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/medledger/medledger/runtime/ledger"
)

// getJSON reads key into v; found is false when the key is absent.
func getJSON(stub shim.ChaincodeStubInterface, key string, v any) (found bool, err error) {
	raw, err := stub.GetState(key)
	if err != nil {
		return false, internal("reading %s: %v", key, err)
	}
	if len(raw) == 0 {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, internal("ledger key %s does not hold the expected JSON: %v", key, err)
	}
	return true, nil
}

// putJSON writes v under key and, when policy is set, makes it the key's endorsement policy.
func putJSON(stub shim.ChaincodeStubInterface, key string, v any, policy []byte) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return internal("encoding %s: %v", key, err)
	}
	return putRaw(stub, key, raw, policy)
}

func putRaw(stub shim.ChaincodeStubInterface, key string, raw, policy []byte) error {
	if err := stub.PutState(key, raw); err != nil {
		return internal("writing %s: %v", key, err)
	}
	if policy != nil {
		if err := stub.SetStateValidationParameter(key, policy); err != nil {
			return internal("setting the endorsement policy of %s: %v", key, err)
		}
	}
	return nil
}

func readGovernance(stub shim.ChaincodeStubInterface) (Governance, bool, error) {
	var g Governance
	found, err := getJSON(stub, governanceKey, &g)
	return g, found, err
}

func readEntry(stub shim.ChaincodeStubInterface, name string) (Entry, bool, error) {
	var e Entry
	found, err := getJSON(stub, entryKey(name), &e)
	return e, found, err
}

func readSequence(stub shim.ChaincodeStubInterface) (uint64, error) {
	raw, err := stub.GetState(sequenceKey)
	if err != nil {
		return 0, internal("reading %s: %v", sequenceKey, err)
	}
	if len(raw) == 0 {
		return 0, nil
	}
	n, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil {
		return 0, internal("ledger key %s holds %q, not a number", sequenceKey, raw)
	}
	return n, nil
}

// prefixEnd returns the smallest key above every key starting with prefix (prefix ends in '/').
func prefixEnd(prefix string) string {
	return prefix[:len(prefix)-1] + string(prefix[len(prefix)-1]+1)
}

// readOnly is the state of a query: reads pass through, writes are refused, so a contract function that
// changes state cannot be mistaken for a read.
type readOnlyState struct{ ledger.State }

func (r readOnlyState) PutState(key string, _ []byte) error { return errReadOnly(key) }
func (r readOnlyState) DelState(key string) error           { return errReadOnly(key) }
func (r readOnlyState) PutPrivateData(_, key string, _ []byte) error {
	return errReadOnly(key)
}
func (r readOnlyState) DelPrivateData(_, key string) error { return errReadOnly(key) }

func errReadOnly(key string) error {
	return fmt.Errorf("query is read-only but the contract wrote %q: use invoke (submit) for functions that change state", key)
}
