package sdk

import (
	"errors"
	"fmt"
)

// Code classifies a contract error so callers can react to it without parsing prose. It is the prefix of the
// message the caller sees ("not_found: ...").
type Code string

// Codes for the common failure classes. Contracts may define their own; keep them lower_snake_case.
const (
	// InvalidArgument surfaces when the arguments are malformed or fail validation.
	InvalidArgument Code = "invalid_argument"
	// NotFound surfaces when a record the call needs does not exist.
	NotFound Code = "not_found"
	// AlreadyExists surfaces when a call would create a record that exists.
	AlreadyExists Code = "already_exists"
	// PermissionDenied surfaces when the caller's identity does not allow the call.
	PermissionDenied Code = "permission_denied"
	// FailedPrecondition surfaces when the ledger is not in the state the call requires (e.g. consent revoked).
	FailedPrecondition Code = "failed_precondition"
	// Internal surfaces when the contract hit a state it considers a bug.
	Internal Code = "internal"
)

// Error is a contract error with an optional [Code]. Return it (or any error) from a handler to fail the call;
// the caller sees [Error.Error]. Panicking with an *Error fails the call the same way, which lets deep helpers
// bail out without threading errors through every frame.
type Error struct {
	// Code classifies the error; empty for none.
	Code Code
	// Message is the human-readable cause.
	Message string
	// wrapped is the %w operand of Errorf, if any.
	wrapped error
}

// NewError returns an *Error with code and msg. The caller sees "code: msg" (just msg if code is empty).
func NewError(code Code, msg string) *Error {
	return &Error{Code: code, Message: msg}
}

// Errorf formats an *Error without a code, like fmt.Errorf; %w wraps an error that errors.Is and errors.As find:
//
//	return sdk.Errorf("renew consent %s: %w", id, err) // caller sees "renew consent c1: not_found: ..."
func Errorf(format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Message: err.Error(), wrapped: errors.Unwrap(err)}
}

// Error returns "code: message", or the message alone when Code is empty.
func (e *Error) Error() string {
	if e.Code == "" {
		return e.Message
	}
	return string(e.Code) + ": " + e.Message
}

// Unwrap returns the error wrapped by Errorf's %w, or nil.
func (e *Error) Unwrap() error { return e.wrapped }
