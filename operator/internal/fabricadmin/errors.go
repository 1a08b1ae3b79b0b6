package fabricadmin

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc/status"
)

// describe renders err with the per-peer reasons a Gateway error carries in its gRPC status details (status
// finds them through wrapping); without
// them an endorsement failure reads only "failed to endorse transaction, see attached details".
func describe(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	var details []string
	for _, d := range status.Convert(err).Details() {
		if ed, ok := d.(*gateway.ErrorDetail); ok {
			details = append(details, fmt.Sprintf("%s (%s): %s", ed.GetAddress(), ed.GetMspId(), ed.GetMessage()))
		}
	}
	if len(details) > 0 {
		msg += " [" + strings.Join(details, "; ") + "]"
	}
	return msg
}

// CommitError reports a transaction that was ordered into a block but marked invalid there.
type CommitError struct {
	TransactionID string
	Code          peer.TxValidationCode
}

// Error names the transaction and its validation code.
func (e *CommitError) Error() string {
	return fmt.Sprintf("transaction %s committed as invalid: %s", e.TransactionID, e.Code)
}

// ValidationCode returns the validation code of a transaction that was ordered but did not commit as valid
// (for example ENDORSEMENT_POLICY_FAILURE or MVCC_READ_CONFLICT), and false for any other error.
func ValidationCode(err error) (peer.TxValidationCode, bool) {
	var ce *CommitError
	if errors.As(err, &ce) {
		return ce.Code, true
	}
	var gce *client.CommitError
	if errors.As(err, &gce) {
		return gce.Code, true
	}
	return peer.TxValidationCode_VALID, false
}
