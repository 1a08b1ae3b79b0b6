//go:build linux

package snapmem

import (
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"github.com/tetratelabs/wazero/experimental"
	"golang.org/x/sys/unix"
)

var (
	pagemapOnce sync.Once
	pagemap     *os.File
	pagemapErr  error
	pageSize    = os.Getpagesize()
)

// /proc/self/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst).
const (
	pmPresent = 1 << 63
	pmSwapped = 1 << 62
	pmFile    = 1 << 61 // file page or shared anonymous: for our private mapping, a page never written
)

// Image is one contract's snapshot, shared by its instances. It is safe for concurrent use.
type Image struct {
	fd   int
	size int    // snapshot bytes (multiple of the page size)
	max  int    // bytes mapped per instance (the contract's memory limit)
	snap []byte // read-only shared mapping of the snapshot, the source of resets
}

// NewImage stores mem (an instance's memory right after _initialize) as the snapshot of instances whose memory can
// grow to maxBytes.
//
// # Errors
//
// ErrUnsupported (wrapped) when /proc/self/pagemap, memfd_create or mmap are not available.
func NewImage(mem []byte, maxBytes int) (*Image, error) {
	pagemapOnce.Do(func() { pagemap, pagemapErr = os.Open("/proc/self/pagemap") })
	if pagemapErr != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupported, pagemapErr)
	}
	if len(mem)%pageSize != 0 || maxBytes < len(mem) || len(mem) == 0 {
		return nil, fmt.Errorf("snapmem: snapshot of %d bytes, max %d: not page-aligned", len(mem), maxBytes)
	}
	fd, err := unix.MemfdCreate("medledger-snapshot", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("%w: memfd_create: %w", ErrUnsupported, err)
	}
	im := &Image{fd: fd, size: len(mem), max: maxBytes}
	fail := func(what string, err error) (*Image, error) {
		im.Close()
		return nil, fmt.Errorf("%w: %s: %w", ErrUnsupported, what, err)
	}
	if err := unix.Ftruncate(fd, int64(maxBytes)); err != nil { // the tail past the snapshot reads as zeros
		return fail("ftruncate", err)
	}
	if _, err := unix.Pwrite(fd, mem, 0); err != nil {
		return fail("write", err)
	}
	if im.snap, err = unix.Mmap(fd, 0, len(mem), unix.PROT_READ, unix.MAP_SHARED); err != nil {
		return fail("mmap", err)
	}
	if !im.probe() {
		return fail("pagemap", fmt.Errorf("written pages are not reported as private"))
	}
	return im, nil
}

// probe checks that this kernel reports a written private page as such (pagemap's file bit clear).
func (im *Image) probe() bool {
	v, err := im.newView()
	if err != nil {
		return false
	}
	defer v.Free()
	buf := v.Reallocate(uint64(pageSize))
	clean, _ := v.dirtyPages(buf)
	buf[0] ^= 0xff
	dirty, _ := v.dirtyPages(buf)
	return clean == 0 && dirty == 1
}

// Close releases the image; instances still mapping it keep their mappings.
func (im *Image) Close() {
	if im.snap != nil {
		_ = unix.Munmap(im.snap)
		im.snap = nil
	}
	if im.fd >= 0 {
		_ = unix.Close(im.fd)
		im.fd = -1
	}
}

// View is one instance's private mapping of the image; it implements experimental.LinearMemory.
type View struct {
	im      *Image
	region  []byte
	scratch []byte
}

func (im *Image) newView() (*View, error) {
	region, err := unix.Mmap(im.fd, 0, im.max, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_NORESERVE)
	if err != nil {
		return nil, err
	}
	return &View{im: im, region: region}, nil
}

// Allocator returns a wazero memory allocator whose memories are new views of im; each view is also passed to
// onView, so the caller can Reset it later. The allocator must only be used for memories of at most the image's
// maximum size.
func (im *Image) Allocator(onView func(*View)) experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
		if max > uint64(im.max) {
			return nil // wazero then fails the instantiation
		}
		v, err := im.newView()
		if err != nil {
			return nil
		}
		onView(v)
		return v
	})
}

// Reallocate implements experimental.LinearMemory: memory grows in place inside the mapping.
func (v *View) Reallocate(size uint64) []byte {
	if size > uint64(len(v.region)) {
		return nil
	}
	return v.region[:size:size]
}

// Free implements experimental.LinearMemory.
func (v *View) Free() {
	if v.region != nil {
		_ = unix.Munmap(v.region)
		v.region = nil
	}
}

// Discard drops every private page of buf (the instance's current memory), so the whole memory reads as the
// snapshot again. Use it once on a new instance, whose data segments wazero has just written.
//
// # Errors
//
// madvise's error.
func (v *View) Discard(buf []byte) error {
	return unix.Madvise(v.region[:roundUp(len(buf))], unix.MADV_DONTNEED)
}

// Reset restores the snapshot into every page of buf (the instance's current memory) that the guest wrote, and
// zeros written pages past the snapshot. It returns how many pages it restored.
//
// # Errors
//
// Reading /proc/self/pagemap failed; the caller must then discard the instance.
func (v *View) Reset(buf []byte) (int, error) {
	n, err := v.dirtyPages(buf)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	for i := 0; i < len(buf)/pageSize; i++ {
		if !dirty(v.scratch[i*8:]) {
			continue
		}
		off := i * pageSize
		page := buf[off : off+pageSize]
		if off < v.im.size {
			copy(page, v.im.snap[off:off+pageSize])
		} else {
			clear(page)
		}
	}
	return n, nil
}

func dirty(entry []byte) bool {
	e := binary.LittleEndian.Uint64(entry)
	return e&pmSwapped != 0 || e&pmPresent != 0 && e&pmFile == 0
}

// dirtyPages reads the pagemap entries of buf into v.scratch and counts the private (written) pages.
func (v *View) dirtyPages(buf []byte) (int, error) {
	pages := len(buf) / pageSize
	if cap(v.scratch) < pages*8 {
		v.scratch = make([]byte, pages*8)
	}
	v.scratch = v.scratch[:pages*8]
	off := int64(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))/uintptr(pageSize)) * 8
	if _, err := unix.Pread(int(pagemap.Fd()), v.scratch, off); err != nil {
		return 0, fmt.Errorf("snapmem: pagemap: %w", err)
	}
	n := 0
	for i := 0; i < pages; i++ {
		if dirty(v.scratch[i*8:]) {
			n++
		}
	}
	return n, nil
}

func roundUp(n int) int { return (n + pageSize - 1) / pageSize * pageSize }

// Anonymous returns a wazero memory allocator whose memories are private anonymous mappings of their maximum
// size, reserved (not committed) up front: memory.grow then only extends the slice, where wazero's default
// allocator copies the whole memory on every grow (quadratic in the pages grown; seconds for a few hundred
// one-page grows), and linear memory stays out of the Go heap. It returns nil when mmap is unavailable.
func Anonymous() experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
		if max == 0 || max > 1<<32 {
			return nil
		}
		region, err := unix.Mmap(-1, 0, int(max), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
		if err != nil {
			return nil
		}
		return &View{region: region}
	})
}
