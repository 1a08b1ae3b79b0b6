//go:build !linux

package snapmem

import "github.com/tetratelabs/wazero/experimental"

// Image is unavailable on this platform.
type Image struct{}

// View is unavailable on this platform.
type View struct{}

// NewImage returns ErrUnsupported on this platform.
func NewImage(mem []byte, maxBytes int) (*Image, error) { return nil, ErrUnsupported }

// Close does nothing.
func (im *Image) Close() {}

// Allocator is never called on this platform.
func (im *Image) Allocator(onView func(*View)) experimental.MemoryAllocator { return nil }

// Discard is never called on this platform.
func (v *View) Discard(buf []byte) error { return ErrUnsupported }

// Reset is never called on this platform.
func (v *View) Reset(buf []byte) (int, error) { return 0, ErrUnsupported }

// Anonymous returns nil on this platform: wazero's own allocator is used.
func Anonymous() experimental.MemoryAllocator { return nil }
