package devnet

import (
	"fmt"
	"io"
	"time"
)

// progress prints one line per step with its duration and the time since the command started, so a slow
// `devnet up` shows where the time went.
type progress struct {
	w     io.Writer
	start time.Time
}

func newProgress(w io.Writer) *progress {
	if w == nil {
		w = io.Discard
	}
	return &progress{w: w, start: time.Now()}
}

// step runs fn under a label and reports how it went.
func (p *progress) step(label string, fn func() error) error {
	t := time.Now()
	fmt.Fprintf(p.w, "[%6.2fs] %s ...\n", time.Since(p.start).Seconds(), label)
	if err := fn(); err != nil {
		fmt.Fprintf(p.w, "[%6.2fs] %s FAILED after %.2fs\n", time.Since(p.start).Seconds(), label, time.Since(t).Seconds())
		return err
	}
	fmt.Fprintf(p.w, "[%6.2fs] %s done (%.2fs)\n", time.Since(p.start).Seconds(), label, time.Since(t).Seconds())
	return nil
}

func (p *progress) printf(format string, args ...any) {
	fmt.Fprintf(p.w, "[%6.2fs] "+format+"\n", append([]any{time.Since(p.start).Seconds()}, args...)...)
}

func (p *progress) total() time.Duration { return time.Since(p.start) }
