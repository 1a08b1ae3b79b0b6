package ledger

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// FormatVersion is the version of Memory's JSON form.
const FormatVersion = 1

// memoryJSON is the JSON form of Memory's committed state; the pending transaction is not saved.
type memoryJSON struct {
	Format  int                             `json:"format"`
	Height  uint64                          `json:"height"`
	State   map[string]valueJSON            `json:"state"`
	Private map[string]map[string]valueJSON `json:"private,omitempty"`
}

// valueJSON holds a value as text when it is valid UTF-8 (readable --state files), else as base64.
type valueJSON struct {
	Value   *string `json:"value,omitempty"`
	Base64  *string `json:"base64,omitempty"`
	Version Version `json:"version"`
}

func toValueJSON(e entry) valueJSON {
	v := valueJSON{Version: e.version}
	if utf8.Valid(e.value) {
		s := string(e.value)
		v.Value = &s
	} else {
		s := base64.StdEncoding.EncodeToString(e.value)
		v.Base64 = &s
	}
	return v
}

func (v valueJSON) entry(key string, height uint64) (entry, error) {
	e := entry{version: v.Version}
	switch {
	case v.Value != nil && v.Base64 != nil:
		return e, fmt.Errorf("key %q: both value and base64 are set", key)
	case v.Value != nil:
		e.value = []byte(*v.Value)
	case v.Base64 != nil:
		b, err := base64.StdEncoding.DecodeString(*v.Base64)
		if err != nil {
			return e, fmt.Errorf("key %q: base64: %w", key, err)
		}
		e.value = b
	default:
		return e, fmt.Errorf("key %q: neither value nor base64 is set", key)
	}
	if len(e.value) == 0 {
		return e, fmt.Errorf("key %q: empty value (Fabric records an empty value as a delete, so no key holds one)", key)
	}
	if v.Version.Block > height {
		return e, fmt.Errorf("key %q: version block %d is above height %d", key, v.Version.Block, height)
	}
	return e, nil
}

// MarshalJSON encodes the committed state (not the pending transaction) as
// {"format":1,"height":N,"state":{key:{"value"|"base64":...,"version":{...}}},"private":{coll:{...}}}.
// Values that are valid UTF-8 are written as text, others as base64. Keys are sorted, so output is stable.
func (m *Memory) MarshalJSON() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := memoryJSON{Format: FormatVersion, Height: m.height, State: map[string]valueJSON{}}
	m.tree().Ascend(func(it item) bool {
		out.State[it.key] = toValueJSON(it.e)
		return true
	})
	for name, coll := range m.private {
		if out.Private == nil {
			out.Private = map[string]map[string]valueJSON{}
		}
		c := map[string]valueJSON{}
		for k, e := range coll {
			c[k] = toValueJSON(e)
		}
		out.Private[name] = c
	}
	return json.Marshal(out)
}

// UnmarshalJSON replaces m's committed state with the one encoded in b and clears the default transaction.
//
// # Errors
//
// Malformed JSON, an unknown format version, a value with both or neither of value/base64, invalid base64, an
// empty key, an empty value (no Fabric ledger holds one), or a version above the height. m is left untouched on
// error.
func (m *Memory) UnmarshalJSON(b []byte) error {
	var in memoryJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("ledger: state JSON: %w", err)
	}
	if in.Format != FormatVersion {
		return fmt.Errorf("ledger: state JSON: format %d is not supported (want %d)", in.Format, FormatVersion)
	}
	public := newTree()
	for k, v := range in.State {
		if k == "" {
			return fmt.Errorf("ledger: state JSON: empty key")
		}
		e, err := v.entry(k, in.Height)
		if err != nil {
			return fmt.Errorf("ledger: state JSON: %w", err)
		}
		public.ReplaceOrInsert(item{key: k, e: e})
	}
	private := map[string]map[string]entry{}
	for name, coll := range in.Private {
		if name == "" {
			return fmt.Errorf("ledger: state JSON: empty collection name")
		}
		private[name] = map[string]entry{}
		for k, v := range coll {
			if k == "" {
				return fmt.Errorf("ledger: state JSON: collection %q: empty key", name)
			}
			e, err := v.entry(k, in.Height)
			if err != nil {
				return fmt.Errorf("ledger: state JSON: collection %q: %w", name, err)
			}
			private[name][k] = e
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.public, m.private, m.height = public, private, in.Height
	if m.def != nil {
		m.def.tx = pending{}
		m.def.gen++
	}
	return nil
}
