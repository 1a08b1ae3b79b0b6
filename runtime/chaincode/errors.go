package chaincode

import (
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// Outcomes label transactions in metrics and logs.
const (
	outcomeOK            = "ok"
	outcomeBadRequest    = "bad_request"
	outcomeForbidden     = "forbidden"
	outcomeNotFound      = "not_found"
	outcomeConflict      = "conflict"
	outcomePrecondition  = "failed_precondition"
	outcomeContractError = "contract_error"
	outcomeTrap          = "trap"
	outcomeIntegrity     = "integrity"
	outcomeUnavailable   = "unavailable"
	outcomeInternal      = "internal"
)

// Status codes of error responses. Fabric treats any status from 400 as an error: the endorsement fails and
// the client sees the message.
const (
	statusBadRequest   = 400
	statusForbidden    = 403
	statusNotFound     = 404
	statusConflict     = 409
	statusPrecondition = 412
	statusUnavailable  = 503
	statusInternal     = shim.ERROR // 500
)

// ErrCodeIntegrity is wrapped by the error a transaction gets when the module bytes read from the ledger do
// not hash to the sha256 the registry names: the ledger copy was tampered with or corrupted.
var ErrCodeIntegrity = errors.New("code integrity check failed")

// txError is an error response: status, metrics outcome and the message the client sees.
type txError struct {
	status  int32
	outcome string
	msg     string
}

func (e *txError) Error() string { return e.msg }

func fail(status int32, outcome, format string, args ...any) error {
	return &txError{status: status, outcome: outcome, msg: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) error {
	return fail(statusBadRequest, outcomeBadRequest, format, args...)
}

func internal(format string, args ...any) error {
	return fail(statusInternal, outcomeInternal, format, args...)
}
