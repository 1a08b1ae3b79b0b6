// Package snapmem backs Snapshot-isolation instances with copy-on-write linear memory, so resetting an instance to
// its post-_initialize snapshot costs in proportion to the pages a call wrote, not to the memory size.
//
// The snapshot is written once into an in-memory file; every instance maps that file privately (MAP_PRIVATE), so
// pages it never writes are the file's pages, shared by all instances. A page the guest writes becomes a private
// copy; Reset finds those pages through /proc/self/pagemap and copies the snapshot back into them (keeping them
// mapped, so steady-state calls take no page faults). Memory beyond the snapshot maps the file's zero-filled tail,
// so memory that grew is reset to zeros the same way.
//
// Linux only; elsewhere, or when the kernel refuses, NewImage returns an error and the engine falls back to
// copying the whole snapshot before each call.
package snapmem

import "errors"

// ErrUnsupported is returned by NewImage where copy-on-write memory is not available.
var ErrUnsupported = errors.New("snapmem: copy-on-write snapshot memory is not supported here")
