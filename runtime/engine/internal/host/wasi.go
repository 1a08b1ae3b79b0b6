package host

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"

	"github.com/tetratelabs/wazero/api"

	"github.com/medledger/medledger/runtime/abi"
)

// WASI errno values (wasi_snapshot_preview1).
const (
	errnoSuccess = 0
	errnoBadf    = 8
	errnoFault   = 21
	errnoInval   = 28
	errnoNosys   = 52
)

var wasiFuncs = map[string]api.GoModuleFunc{
	"args_get":            zeroResult,
	"args_sizes_get":      sizesGet,
	"environ_get":         zeroResult,
	"environ_sizes_get":   sizesGet,
	"clock_res_get":       clockResGet,
	"clock_time_get":      clockTimeGet,
	"random_get":          randomGet,
	"fd_write":            fdWrite,
	"fd_read":             errnoResult(errnoNosys),
	"fd_seek":             errnoResult(errnoNosys),
	"fd_close":            errnoResult(errnoNosys),
	"fd_fdstat_get":       errnoResult(errnoNosys),
	"fd_fdstat_set_flags": errnoResult(errnoNosys),
	"fd_prestat_get":      errnoResult(errnoBadf), // EBADF: no preopened directories
	"fd_prestat_dir_name": errnoResult(errnoBadf),
	"poll_oneoff":         pollOneoff,
	"proc_exit":           procExit,
	"sched_yield":         zeroResult,
}

func errnoResult(errno uint64) api.GoModuleFunc {
	return func(_ context.Context, _ api.Module, stack []uint64) { stack[0] = errno }
}

func zeroResult(_ context.Context, _ api.Module, stack []uint64) { stack[0] = errnoSuccess }

// sizesGet answers args_sizes_get and environ_sizes_get: no arguments, no environment.
func sizesGet(_ context.Context, mod api.Module, stack []uint64) {
	mem := mod.Memory()
	if !mem.WriteUint32Le(uint32(stack[0]), 0) || !mem.WriteUint32Le(uint32(stack[1]), 0) {
		stack[0] = errnoFault
		return
	}
	stack[0] = errnoSuccess
}

// WASI clock ids 0..3 (realtime, monotonic, process and thread CPU time) all read the transaction timestamp.
const maxClockID = 3

func clockResGet(_ context.Context, mod api.Module, stack []uint64) {
	if uint32(stack[0]) > maxClockID {
		stack[0] = errnoInval
		return
	}
	if !mod.Memory().WriteUint64Le(uint32(stack[1]), 1) {
		stack[0] = errnoFault
		return
	}
	stack[0] = errnoSuccess
}

func clockTimeGet(ctx context.Context, mod api.Module, stack []uint64) {
	c := callFrom(ctx)
	if uint32(stack[0]) > maxClockID {
		stack[0] = errnoInval
		return
	}
	if !mod.Memory().WriteUint64Le(uint32(stack[2]), uint64(c.Timestamp)) {
		stack[0] = errnoFault
		return
	}
	stack[0] = errnoSuccess
}

func randomGet(ctx context.Context, mod api.Module, stack []uint64) {
	c := callFrom(ctx)
	c.chargeBytes("random_get", uint64(uint32(stack[1])))
	buf, ok := mod.Memory().Read(uint32(stack[0]), uint32(stack[1]))
	if !ok {
		stack[0] = errnoFault
		return
	}
	_, _ = c.random().Read(buf) // ChaCha8.Read never fails
	stack[0] = errnoSuccess
}

// fdWrite sends fd 1 and 2 to the bounded call log, one entry per line.
func fdWrite(ctx context.Context, mod api.Module, stack []uint64) {
	c := callFrom(ctx)
	fd, iovs, iovsLen, resultPtr := uint32(stack[0]), uint32(stack[1]), uint32(stack[2]), uint32(stack[3])
	if fd != 1 && fd != 2 {
		stack[0] = errnoBadf
		return
	}
	mem := mod.Memory()
	vecs, ok := mem.Read(iovs, iovsLen*8)
	if !ok || iovsLen > 1<<20 {
		stack[0] = errnoFault
		return
	}
	var total uint32
	for i := uint32(0); i < iovsLen; i++ {
		ptr := binary.LittleEndian.Uint32(vecs[i*8:])
		n := binary.LittleEndian.Uint32(vecs[i*8+4:])
		c.chargeBytes("fd_write", uint64(n))
		b, ok := mem.Read(ptr, n)
		if !ok {
			stack[0] = errnoFault
			return
		}
		c.stdWrite(fd, b)
		total += n
	}
	if !mem.WriteUint32Le(resultPtr, total) {
		stack[0] = errnoFault
		return
	}
	stack[0] = errnoSuccess
}

// lineCap bounds a partial line held between fd_write calls.
const lineCap = 4 << 10

func (c *Call) stdWrite(fd uint32, b []byte) {
	if fd == 2 {
		c.StderrTail = append(c.StderrTail, b...)
		if over := len(c.StderrTail) - stderrTailBytes; over > 0 {
			c.StderrTail = append(c.StderrTail[:0], c.StderrTail[over:]...)
		}
	}
	buf, level, source := &c.stdout, abi.LogInfo, "stdout"
	if fd == 2 {
		buf, level, source = &c.stderr, abi.LogWarn, "stderr"
	}
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		if len(*buf) < lineCap {
			*buf = append(*buf, b[:min(i, lineCap-len(*buf))]...)
		}
		if i == len(b) {
			return
		}
		if fd == 2 && c.PanicLine == "" && (bytes.HasPrefix(*buf, []byte("panic: ")) || bytes.HasPrefix(*buf, []byte("fatal error: "))) {
			c.PanicLine = strings.ToValidUTF8(string(*buf), "\uFFFD")
		}
		c.appendLog(level, source, *buf)
		*buf = (*buf)[:0]
		b = b[i+1:]
	}
}

func procExit(_ context.Context, _ api.Module, stack []uint64) {
	panic(&Exit{Code: uint32(stack[0])})
}

// Sizes and tags of wasi_snapshot_preview1 subscription and event records.
const (
	subscriptionSize = 48
	eventSize        = 32
	eventTypeClock   = 0
	maxSubscriptions = 1 << 12
)

// pollOneoff answers every clock subscription at once, as if its time had passed (no time passes: clocks read the
// transaction timestamp), and fails fd subscriptions with EBADF (there are no readable/writable descriptors to wait
// on). Go's runtime sleeps through it (usleep, also on its fatal-error path), so it must succeed.
func pollOneoff(ctx context.Context, mod api.Module, stack []uint64) {
	in, out, n, neventsPtr := uint32(stack[0]), uint32(stack[1]), uint32(stack[2]), uint32(stack[3])
	if n == 0 || n > maxSubscriptions {
		stack[0] = errnoInval
		return
	}
	callFrom(ctx).chargeBytes("poll_oneoff", uint64(n)*(subscriptionSize+eventSize))
	mem := mod.Memory()
	subs, ok1 := mem.Read(in, n*subscriptionSize)
	events, ok2 := mem.Read(out, n*eventSize)
	if !ok1 || !ok2 {
		stack[0] = errnoFault
		return
	}
	for i := uint32(0); i < n; i++ {
		sub := subs[i*subscriptionSize:]
		ev := events[i*eventSize : (i+1)*eventSize]
		clear(ev)
		copy(ev[0:8], sub[0:8]) // userdata
		tag := sub[8]
		ev[10] = tag
		if tag != eventTypeClock {
			binary.LittleEndian.PutUint16(ev[8:], errnoBadf)
		}
	}
	if !mem.WriteUint32Le(neventsPtr, n) {
		stack[0] = errnoFault
		return
	}
	stack[0] = errnoSuccess
}
