package pki

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Files is a folder tree held in memory: slash-separated relative paths mapped to file
// contents. MSP folders, TLS folders and whole crypto trees are all Files, so callers can
// write them to disk ([Files.WriteDir]), put them in a Secret, or inspect them in tests.
type Files map[string][]byte

// Put copies every file of other into f under prefix (a slash-separated folder, "" for none),
// replacing files with the same path.
func (f Files) Put(prefix string, other Files) {
	for p, data := range other {
		f[path.Join(prefix, p)] = data
	}
}

// Paths returns the file paths in lexical order.
func (f Files) Paths() []string {
	out := make([]string, 0, len(f))
	for p := range f {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Sub returns the files under the folder prefix, with the prefix removed from their paths.
func (f Files) Sub(prefix string) Files {
	prefix = strings.TrimSuffix(prefix, "/") + "/"
	out := Files{}
	for p, data := range f {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			out[rest] = data
		}
	}
	return out
}

// IsSecretPath reports whether a path in Files names private key material: a file in a
// keystore folder or a file ending in ".key" or "_sk". WriteDir gives such files mode 0600.
func IsSecretPath(p string) bool {
	return path.Base(path.Dir(p)) == "keystore" || strings.HasSuffix(p, ".key") || strings.HasSuffix(p, "_sk")
}

// WriteDir writes every file under dir, creating folders (0755) as needed. Private keys
// (see [IsSecretPath]) get mode 0600, everything else 0644. Existing files are overwritten.
//
// # Errors
//   - a path is empty, absolute, not clean, or leaves the tree through ".." (checked for all
//     paths before anything is written, so a bad tree writes nothing);
//   - the file system refuses a folder or file.
func (f Files) WriteDir(dir string) error {
	paths := f.Paths()
	for _, p := range paths {
		if p == "" || path.IsAbs(p) || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") {
			return fmt.Errorf("pki: file path %q is not a clean relative path", p)
		}
	}
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("pki: creating folder for %q: %w", p, err)
		}
		mode := os.FileMode(0o644)
		if IsSecretPath(p) {
			mode = 0o600
		}
		if err := os.WriteFile(full, f[p], mode); err != nil {
			return fmt.Errorf("pki: writing %q: %w", p, err)
		}
		// WriteFile keeps the mode of an existing file; a key must never stay world-readable.
		if err := os.Chmod(full, mode); err != nil {
			return fmt.Errorf("pki: setting mode of %q: %w", p, err)
		}
	}
	return nil
}
