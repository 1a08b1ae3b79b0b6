package devnet

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// stageExe copies the executable exe into the work dir's bin folder (once per content) and returns the copy's
// path. Peers run the builder and the devnet restarts chaincode servers long after the command that set them
// up has exited, so they must not depend on a binary that `go run` deletes or a rebuild replaces.
func stageExe(workDir, exe string) (string, error) {
	dst := filepath.Join(workDir, "bin", filepath.Base(exe))
	if dst == exe {
		return dst, nil
	}
	src, err := os.ReadFile(exe)
	if err != nil {
		return "", fmt.Errorf("devnet: stage %s: %w", exe, err)
	}
	if have, err := os.ReadFile(dst); err == nil && bytes.Equal(have, src) {
		return dst, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("devnet: stage %s: %w", exe, err)
	}
	// Write then rename: a chaincode server still running the old copy keeps its inode.
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".stage-*")
	if err != nil {
		return "", fmt.Errorf("devnet: stage %s: %w", exe, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, bytes.NewReader(src)); err != nil {
		tmp.Close()
		return "", fmt.Errorf("devnet: stage %s: %w", exe, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("devnet: stage %s: %w", exe, err)
	}
	if err := os.Chmod(tmp.Name(), 0o755); err != nil {
		return "", fmt.Errorf("devnet: stage %s: %w", exe, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", fmt.Errorf("devnet: stage %s: %w", exe, err)
	}
	return dst, nil
}
