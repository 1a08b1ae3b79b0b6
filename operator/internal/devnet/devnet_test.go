package devnet

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/medledger/medledger/operator/internal/testenv"
)

func TestUp_Errors(t *testing.T) {
	bin := testenv.FabricBin(t)
	builder := selfCommand(t, selfBuilder)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port

	oldFormat := t.TempDir()
	writeFile(t, filepath.Join(oldFormat, versionFile), "medledger-devnet/0\n")
	writeFile(t, filepath.Join(oldFormat, stateFile), "{}")
	noStamp := t.TempDir()
	writeFile(t, filepath.Join(noStamp, stateFile), "{}")
	notEmpty := t.TempDir()
	writeFile(t, filepath.Join(notEmpty, "notes.txt"), "mine")

	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"missing binaries", Options{FabricBin: t.TempDir(), Builder: builder}, "Fabric binaries not found in"},
		{"no hospitals", Options{FabricBin: bin, Builder: builder, Topology: Topology{Hospitals: 0, PeersPerHospital: 1, Orderers: 1}}, "hospitals = 0"},
		{"too many peers", Options{FabricBin: bin, Builder: builder, Topology: Topology{Hospitals: 1, PeersPerHospital: 9, Orderers: 1}}, "peers per hospital = 9"},
		{"no builder", Options{FabricBin: bin}, "external builder"},
		{"relative builder", Options{FabricBin: bin, Builder: []string{"ccbuilder"}}, "absolute path"},
		{"work dir of another format", Options{Dir: oldFormat, FabricBin: bin, Builder: builder}, `devnet format "medledger-devnet/0"`},
		{"work dir without stamp", Options{Dir: noStamp, FabricBin: bin, Builder: builder}, "no VERSION stamp"},
		{"foreign non-empty dir", Options{Dir: notEmpty, FabricBin: bin, Builder: builder}, "not empty"},
		{"base port in use", Options{FabricBin: bin, Builder: builder, BasePort: busyPort}, "port " + strconv.Itoa(busyPort)},
		{"base port out of range", Options{FabricBin: bin, Builder: builder, BasePort: 80}, "1024-65535"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opts.Dir == "" {
				tt.opts.Dir = filepath.Join(t.TempDir(), "devnet")
			}
			before := listDir(t, tt.opts.Dir)
			d, err := Up(context.Background(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Up error = %v, want it to mention %q", err, tt.want)
			}
			if d != nil {
				t.Error("Up returned a devnet with the error")
			}
			if after := listDir(t, tt.opts.Dir); after != before {
				t.Errorf("a failed Up changed the work dir: %d entries before, %d after", strings.Count(before, "\n"), strings.Count(after, "\n"))
			}
		})
	}
}

func TestDown_Errors(t *testing.T) {
	foreign := t.TempDir()
	writeFile(t, filepath.Join(foreign, "precious.txt"), "keep me")
	if err := Down(foreign, true, nil); err == nil || !strings.Contains(err.Error(), "not a devnet work dir") {
		t.Fatalf("Down --purge of a foreign dir = %v", err)
	}
	if !fileExists(filepath.Join(foreign, "precious.txt")) {
		t.Fatal("Down deleted a foreign dir")
	}
	if err := Down(filepath.Join(t.TempDir(), "nothing"), true, nil); err != nil {
		t.Errorf("Down of a missing dir = %v, want success", err)
	}
}

func TestOpen_Errors(t *testing.T) {
	moved := t.TempDir()
	st := &state{Dir: "/somewhere/else", Channel: "c"}
	if err := writeJSON(filepath.Join(moved, stateFile), st); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(moved, versionFile), FormatVersion+"\n")
	tests := map[string]struct{ dir, want string }{
		"no devnet": {t.TempDir(), "no devnet"},
		"moved":     {moved, "not relocatable"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Open(tt.dir, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestTopology_validate(t *testing.T) {
	tests := []struct {
		topo Topology
		want string
	}{
		{DefaultTopology, ""},
		{Topology{3, 2, 3}, ""},
		{Topology{MaxHospitals + 1, 1, 1}, "hospitals"},
		{Topology{1, 0, 1}, "peers per hospital"},
		{Topology{1, 1, 0}, "orderers"},
		{Topology{1, 1, MaxOrderers + 1}, "orderers"},
	}
	for _, tt := range tests {
		t.Run(tt.topo.String(), func(t *testing.T) {
			err := tt.topo.validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("validate = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestAllocatePorts(t *testing.T) {
	ports, err := allocatePorts(12, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if seen[p] {
			t.Fatalf("port %d handed out twice: %v", p, ports)
		}
		seen[p] = true
		l, err := net.Listen("tcp", addr(p))
		if err != nil {
			t.Errorf("allocated port %d is not free: %v", p, err)
			continue
		}
		l.Close()
	}
}

func TestCheckPortsFree(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	free, err := allocatePorts(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkPortsFree([]portUse{{"peer0", "listen", free[0]}}); err != nil {
		t.Errorf("free port reported busy: %v", err)
	}
	err = checkPortsFree([]portUse{{"peer0", "listen", free[0]}, {"peer0", "operations", port}})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)+" (peer0 operations)") {
		t.Errorf("checkPortsFree = %v, want the busy port named with its node and purpose", err)
	}
}

func TestProcess_StartStop(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal("sleep(1) is needed to test supervision: ", err)
	}
	dir := t.TempDir()
	spec := procSpec{Name: "sleeper", Path: sleep, Args: []string{"60"}, Dir: dir, Log: filepath.Join(dir, "node.log"), PID: filepath.Join(dir, "pid")}
	p, err := start(spec)
	if err != nil {
		t.Fatal(err)
	}
	pid, running, err := alive(spec.PID)
	if err != nil || !running || pid != p.cmd.Process.Pid {
		t.Fatalf("alive = %d %v %v, want pid %d running", pid, running, err, p.cmd.Process.Pid)
	}
	if err := stop(spec.PID, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		t.Fatal("process still running after stop")
	}
	if _, running, _ := alive(spec.PID); running || fileExists(spec.PID) {
		t.Error("pid file left behind or process reported alive after stop")
	}
	if err := stop(spec.PID, time.Second); err != nil {
		t.Errorf("stopping a stopped process = %v, want success", err)
	}
	if !strings.Contains(tail(spec.Log, 5), "starting sleeper") {
		t.Errorf("log lacks the start banner: %q", tail(spec.Log, 5))
	}
}

func TestAlive_PidReuse(t *testing.T) {
	dir := t.TempDir()
	// Our own pid with another start time stands for a recycled pid: not the process we started.
	ticks, err := startTicks(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(dir, "pid")
	if err := writeJSON(pidFile, pidRecord{PID: os.Getpid(), StartTicks: ticks + 1}); err != nil {
		t.Fatal(err)
	}
	if _, running, _ := alive(pidFile); running {
		t.Error("a recycled pid was taken for our process")
	}
	if err := stop(pidFile, time.Second); err != nil {
		t.Errorf("stop of a recycled pid = %v", err)
	}
}

func TestStart_Errors(t *testing.T) {
	dir := t.TempDir()
	_, err := start(procSpec{Name: "ghost", Path: filepath.Join(dir, "nope"), Dir: dir, Log: filepath.Join(dir, "log"), PID: filepath.Join(dir, "pid")})
	if err == nil || !strings.Contains(err.Error(), "ghost") {
		t.Fatalf("start of a missing binary = %v, want an error naming the node", err)
	}
	if fileExists(filepath.Join(dir, "pid")) {
		t.Error("a failed start wrote a pid file")
	}
}

func TestWaitReady_Crash(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	n := nodeState{Name: "flaky", Dir: dir, Address: "127.0.0.1:1", Exe: sh, Args: []string{"-c", "echo boom: bad config; exit 3"}}
	p, err := start(procSpec{Name: n.Name, Path: n.Exe, Args: n.Args, Dir: dir, Log: n.logFile(), PID: n.pidFile()})
	if err != nil {
		t.Fatal(err)
	}
	d := &Devnet{st: &state{}, progress: newProgress(nil)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = d.waitReady(ctx, n, p)
	if err == nil || !strings.Contains(err.Error(), "exited during start-up") || !strings.Contains(err.Error(), "boom: bad config") {
		t.Fatalf("waitReady = %v, want the crash with the log's last lines", err)
	}
}

func TestState_findNode(t *testing.T) {
	st := &state{Nodes: []nodeState{{Name: "peer0.hospital1.medledger.local"}, {Name: "peer0.hospital2.medledger.local"}, {Name: "orderer0.orderer.medledger.local"}}}
	tests := []struct{ in, want, err string }{
		{"peer0.hospital1.medledger.local", "peer0.hospital1.medledger.local", ""},
		{"peer0.hospital2", "peer0.hospital2.medledger.local", ""},
		{"orderer0", "orderer0.orderer.medledger.local", ""},
		{"peer0", "", "several"},
		{"peer7", "", "no node"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := st.findNode(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("findNode(%q) = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || n.Name != tt.want {
				t.Fatalf("findNode(%q) = %q, %v; want %q", tt.in, n.Name, err, tt.want)
			}
		})
	}
}

func TestWriteBuilder(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "builders", "ccaas")
	exe := selfCommand(t)[0]
	if err := writeBuilder(dir, []string{exe, "it's", selfBuilder}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "bin", "detect"))
	if err != nil {
		t.Fatal(err)
	}
	staged := filepath.Join(work, "bin", filepath.Base(exe))
	want := "exec '" + staged + `' 'it'\''s' '` + selfBuilder + `' 'detect' "$@"`
	if !strings.Contains(string(raw), want) {
		t.Errorf("detect script:\n%s\nwant a line %s", raw, want)
	}
	// The script runs: detect on a ccaas package exits 0 through the staged copy of the test binary.
	meta := t.TempDir()
	writeFile(t, filepath.Join(meta, "metadata.json"), `{"type":"ccaas","label":"kv"}`)
	if err := writeBuilder(dir, []string{exe, selfBuilder}); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(filepath.Join(dir, "bin", "detect"), t.TempDir(), meta).CombinedOutput(); err != nil {
		t.Errorf("bin/detect: %v\n%s", err, out)
	}
}

func TestWriteBuilder_Errors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "builders", "ccaas")
	tests := []struct {
		name    string
		command []string
		want    string
	}{
		{"none", nil, "no external builder"},
		{"relative", []string{"ccbuilder"}, "absolute path"},
		{"missing", []string{filepath.Join(dir, "missing")}, "not an executable"},
		{"a folder", []string{t.TempDir()}, "not an executable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := writeBuilder(dir, tt.command); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("writeBuilder(%v) = %v, want %q", tt.command, err, tt.want)
			}
			if fileExists(dir) {
				t.Error("a refused builder left files behind")
			}
		})
	}
}

func TestStageExe(t *testing.T) {
	work := t.TempDir()
	src := filepath.Join(t.TempDir(), "tool")
	writeFile(t, src, "#!/bin/sh\necho v1\n")
	if err := os.Chmod(src, 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := stageExe(work, src)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(got).Output(); err != nil || string(out) != "v1\n" {
		t.Fatalf("staged copy ran: %q, %v", out, err)
	}
	// The copy outlives its source, as a `go run` binary would not.
	writeFile(t, src, "#!/bin/sh\necho v2\n")
	again, err := stageExe(work, src)
	if err != nil || again != got {
		t.Fatalf("restage = %q, %v", again, err)
	}
	if out, _ := exec.Command(got).Output(); string(out) != "v2\n" {
		t.Errorf("changed source not restaged: %q", out)
	}
	if err := os.Remove(src); err != nil {
		t.Fatal(err)
	}
	if out, _ := exec.Command(got).Output(); string(out) != "v2\n" {
		t.Errorf("copy gone with its source: %q", out)
	}
	if _, err := stageExe(work, src); err == nil || !strings.Contains(err.Error(), "tool") {
		t.Errorf("staging a missing file = %v", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// listDir is a fingerprint of a folder's tree ("" when missing), to prove a failed call wrote nothing.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	var names []string
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil {
			names = append(names, p)
		}
		return nil
	})
	return strings.Join(names, "\n")
}
