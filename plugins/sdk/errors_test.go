package sdk

import (
	"errors"
	"testing"
)

func TestError_Error(t *testing.T) {
	notFound := NewError(NotFound, "patient p1 has no record")
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"code and message", notFound, "not_found: patient p1 has no record"},
		{"no code", NewError("", "plain"), "plain"},
		{"custom code", NewError("consent_expired", "consent c1 ended 2026-01-01"), "consent_expired: consent c1 ended 2026-01-01"},
		{"Errorf formats", Errorf("bad dose %d mg", 5), "bad dose 5 mg"},
		{"Errorf wraps", Errorf("renew %s: %w", "c1", notFound), "renew c1: not_found: patient p1 has no record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorf_Unwrap(t *testing.T) {
	inner := NewError(PermissionDenied, "not on duty")
	err := Errorf("read record: %w", inner)
	var got *Error
	if !errors.As(err.Unwrap(), &got) || got != inner {
		t.Fatalf("errors.As through Errorf = %v, want the wrapped *Error", got)
	}
	if !errors.Is(err, inner) {
		t.Errorf("errors.Is(Errorf(%%w inner), inner) = false")
	}
	if err.Code != "" {
		t.Errorf("Errorf Code = %q, want empty (the message already carries the inner code)", err.Code)
	}
	if Errorf("no wrap").Unwrap() != nil {
		t.Errorf("Errorf without %%w has a wrapped error")
	}
}
