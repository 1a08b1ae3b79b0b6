package devnet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// writeBuilder lays out the external builder the peers are configured with: dir/bin/{detect,build,release},
// each a two-line script that execs command with the stage name and the peer's arguments. Scripts (not
// symlinks) let the builder be a subcommand of a bigger binary such as `medledger devnet ccbuilder`. The
// executable is first staged into the work dir (see stageExe); dir is <work dir>/builders/<name>.
func writeBuilder(dir string, command []string) error {
	if err := checkBuilder(command); err != nil {
		return err
	}
	exe, err := stageExe(filepath.Dir(filepath.Dir(dir)), command[0])
	if err != nil {
		return err
	}
	command = append([]string{exe}, command[1:]...)
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return fmt.Errorf("devnet: builder: %w", err)
	}
	for _, stage := range []string{"detect", "build", "release"} {
		var b strings.Builder
		b.WriteString("#!/bin/sh\n# medledger devnet: Fabric external builder for ccaas packages.\nexec")
		for _, a := range append(append([]string{}, command...), stage) {
			b.WriteString(" " + shellQuote(a))
		}
		b.WriteString(" \"$@\"\n")
		if err := os.WriteFile(filepath.Join(bin, stage), []byte(b.String()), 0o755); err != nil {
			return fmt.Errorf("devnet: builder: %w", err)
		}
	}
	return nil
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// checkBuilder verifies that command starts with an absolute path to an executable.
func checkBuilder(command []string) error {
	if len(command) == 0 {
		return fmt.Errorf("devnet: no external builder command (Options.Builder)")
	}
	exe := command[0]
	if !filepath.IsAbs(exe) {
		return fmt.Errorf("devnet: external builder %q must be an absolute path: the peer runs it from its own directory", exe)
	}
	if fi, err := os.Stat(exe); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("devnet: external builder %s is not an executable file", exe)
	}
	return nil
}
