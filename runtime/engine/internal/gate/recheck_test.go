package gate

import (
	"errors"
	"strings"
	"testing"
)

func TestRecheck(t *testing.T) {
	info := Info{Size: 1000, MemoryMinPages: 20}
	tests := []struct {
		name   string
		opt    Options
		reason string
		substr string
	}{
		{"within", Options{MaxModuleBytes: 1000, MemoryPages: 20}, "", ""},
		{"too big", Options{MaxModuleBytes: 999, MemoryPages: 20}, TooBig, "module is 1000 bytes, limit 999"},
		{"memory", Options{MaxModuleBytes: 1000, MemoryPages: 19}, Memory, "memory declares 20 initial pages (1280 KiB), limit 19 pages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Recheck(info, tt.opt)
			if tt.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ge *Error
			if !errors.As(err, &ge) || ge.Reason != tt.reason || !strings.Contains(ge.Msg, tt.substr) {
				t.Fatalf("err = %v, want %s containing %q", err, tt.reason, tt.substr)
			}
		})
	}
}
