package devnet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// procSpec is one supervised child: a Fabric node or a chaincode server.
type procSpec struct {
	Name string   // node name, e.g. "peer0.hospital1"
	Path string   // executable
	Args []string // without argv[0]
	Env  []string // added to baseEnv()
	Dir  string   // working directory
	Log  string   // log file (appended)
	PID  string   // pid file
}

// pidRecord is what a pid file holds. StartTicks (field 22 of /proc/PID/stat) tells our process apart from an
// unrelated one that reused the pid after a reboot or a crash.
type pidRecord struct {
	PID        int    `json:"pid"`
	StartTicks uint64 `json:"startTicks"`
	Exe        string `json:"exe"`
}

// proc is a child started by this process; exited closes when it ends, so waiting for health can notice a crash
// at once and the child is reaped (no zombie lingers).
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // valid after exited is closed
}

// start launches spec detached from our session (it outlives `medledger devnet up`), with stdout and stderr
// appended to its log, and records its pid.
func start(spec procSpec) (*proc, error) {
	if err := os.MkdirAll(filepath.Dir(spec.Log), 0o755); err != nil {
		return nil, fmt.Errorf("devnet: %s: %w", spec.Name, err)
	}
	logf, err := os.OpenFile(spec.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("devnet: %s log: %w", spec.Name, err)
	}
	defer logf.Close() // the child holds its own descriptor
	fmt.Fprintf(logf, "\n=== medledger devnet: starting %s at %s ===\n", spec.Name, time.Now().Format(time.RFC3339))
	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Env = append(baseEnv(), spec.Env...)
	cmd.Dir = spec.Dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no terminal signals from the CLI's session
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("devnet: start %s (%s): %w", spec.Name, spec.Path, err)
	}
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	rec := pidRecord{PID: cmd.Process.Pid, Exe: spec.Path}
	rec.StartTicks, _ = startTicks(rec.PID)
	if err := writeJSON(spec.PID, rec); err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("devnet: %s pid file: %w", spec.Name, err)
	}
	return p, nil
}

// baseEnv is the part of our environment children inherit: enough to run, nothing else, so no credential of the
// user's shell leaks into node processes and the node's behaviour depends only on its recorded settings.
func baseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "LANG", "TZ"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// alive reports whether the process recorded in pidFile runs. A missing pid file means "never started" (pid 0).
func alive(pidFile string) (pid int, running bool, err error) {
	var rec pidRecord
	if err := readJSON(pidFile, &rec); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, false, nil
		}
		return 0, false, err
	}
	return rec.PID, isRunning(rec), nil
}

func isRunning(rec pidRecord) bool {
	if rec.PID <= 0 {
		return false
	}
	state, ticks, err := procStat(rec.PID)
	if err != nil {
		return false
	}
	if rec.StartTicks != 0 && ticks != rec.StartTicks {
		return false // the pid now belongs to another process
	}
	if state == 'Z' || state == 'X' {
		// A zombie leader may still have threads finishing their exit, holding the process's sockets; it is
		// gone only once they are.
		tasks, err := os.ReadDir("/proc/" + strconv.Itoa(rec.PID) + "/task")
		return err == nil && len(tasks) > 1
	}
	return true
}

// stop ends the process recorded in pidFile: SIGTERM, then SIGKILL after grace. It removes the pid file once the
// process is gone. Stopping a process that is not running is success.
func stop(pidFile string, grace time.Duration) error {
	var rec pidRecord
	if err := readJSON(pidFile, &rec); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	if isRunning(rec) {
		_ = syscall.Kill(rec.PID, syscall.SIGTERM)
		if !waitGone(rec, grace) {
			_ = syscall.Kill(rec.PID, syscall.SIGKILL)
			if !waitGone(rec, 5*time.Second) {
				return fmt.Errorf("devnet: pid %d (%s) survived SIGKILL", rec.PID, rec.Exe)
			}
		}
	}
	if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func waitGone(rec pidRecord, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if !isRunning(rec) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return !isRunning(rec)
}

// procStat returns the state letter and start time (clock ticks after boot) from /proc/PID/stat.
func procStat(pid int) (byte, uint64, error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, err
	}
	// The command name (field 2) may hold spaces and parentheses; fields after the last ')' are plain.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("devnet: malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 20 {
		return 0, 0, fmt.Errorf("devnet: short /proc/%d/stat", pid)
	}
	ticks, err := strconv.ParseUint(f[19], 10, 64) // field 22 overall; f[0] is field 3
	if err != nil {
		return 0, 0, fmt.Errorf("devnet: /proc/%d/stat starttime: %w", pid, err)
	}
	return f[0][0], ticks, nil
}

func startTicks(pid int) (uint64, error) {
	_, t, err := procStat(pid)
	return t, err
}

// tail returns the last n lines of a log file, for error messages about crashed nodes.
func tail(path string, n int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func writeJSON(path string, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	// Write-then-rename so a crash never leaves half a file behind.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
