// Package nodeconfig renders the configuration of Fabric v3.1.1 peers and orderers from Go:
// core.yaml / orderer.yaml documents, or the equivalent environment variables. Every
// address, port and path is a field of [Peer] or [Orderer], so the same code configures
// local processes and Kubernetes pods.
//
// Both forms come from one list of settings: the YAML form is an embedded base document
// holding Fabric's defaults (base/core.yaml, base/orderer.yaml) with the settings written
// in; the environment form is the same settings as CORE_* or ORDERER_* variables, to use
// with any core.yaml/orderer.yaml that has those keys (such as the rendered one, or Fabric's
// sampleconfig).
package nodeconfig

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	//go:embed base/core.yaml
	baseCore []byte
	//go:embed base/orderer.yaml
	baseOrderer []byte
)

// setting is one configuration key (dotted path as in the YAML) and its value: a string,
// bool, int, []string or a slice of structs (encoded as a YAML/JSON list).
type setting struct {
	path  string
	value any
}

// renderYAML writes settings into the base document, keeping its order and comments.
func renderYAML(base []byte, settings []setting) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("nodeconfig: base document: %w", err)
	}
	for _, s := range settings {
		var v yaml.Node
		if err := v.Encode(s.value); err != nil {
			return nil, fmt.Errorf("nodeconfig: %s: %w", s.path, err)
		}
		if err := setPath(doc.Content[0], "", strings.Split(s.path, "."), &v); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("nodeconfig: encoding: %w", err)
	}
	return out.Bytes(), nil
}

// setPath replaces (or adds) the value at keys below mapping node m, found at path at.
func setPath(m *yaml.Node, at string, keys []string, v *yaml.Node) error {
	if m.Kind != yaml.MappingNode {
		return fmt.Errorf("nodeconfig: %q is not a mapping in the base document, cannot set %q in it", at, keys[0])
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != keys[0] {
			continue
		}
		if len(keys) == 1 {
			m.Content[i+1] = v
			return nil
		}
		return setPath(m.Content[i+1], strings.TrimPrefix(at+"."+keys[0], "."), keys[1:], v)
	}
	// Missing key: build the rest of the path.
	for j := len(keys) - 1; j >= 1; j-- {
		v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: keys[j]}, v}}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: keys[0]}, v)
	return nil
}

// listStyle is how a node binary reads a list from an environment variable.
type listStyle int

const (
	// spaceList: the peer reads lists with viper, which splits a string on white space.
	spaceList listStyle = iota
	// bracketList: the orderer's config loader parses "[a, b]".
	bracketList
)

// renderEnv turns settings into sorted "NAME=value" strings, NAME being prefix plus the
// upper-cased path with '.' replaced by '_' (Fabric's environment override rule).
func renderEnv(prefix string, settings []setting, lists listStyle) ([]string, error) {
	var env []string
	for _, s := range settings {
		name := prefix + "_" + strings.ToUpper(strings.ReplaceAll(s.path, ".", "_"))
		var val string
		switch v := s.value.(type) {
		case string:
			val = v
		case bool:
			val = strconv.FormatBool(v)
		case int:
			val = strconv.Itoa(v)
		case []string:
			for _, e := range v {
				if strings.ContainsAny(e, " \t\n,[]") {
					return nil, fmt.Errorf("nodeconfig: %s: list element %q holds a space, comma or bracket, which the environment form cannot carry", name, e)
				}
			}
			if lists == bracketList {
				val = "[" + strings.Join(v, ", ") + "]"
			} else {
				val = strings.Join(v, " ")
			}
		default:
			// Structured values (external builders): JSON, which the peer parses as YAML.
			b, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("nodeconfig: %s: %w", name, err)
			}
			val = string(b)
		}
		env = append(env, name+"="+val)
	}
	sort.Strings(env)
	return env, nil
}

// EnvMap turns "NAME=value" strings (as returned by Env methods) into a map, e.g. for a
// Kubernetes container spec.
func EnvMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// checkHostPort checks a "host:port" address; an empty host (":7051") binds every
// interface and is allowed only for listeners.
func checkHostPort(field, addr string, listen bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s %q: %w", field, addr, err)
	}
	if host == "" && !listen {
		return fmt.Errorf("%s %q has no host", field, addr)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("%s %q: port must be 1-65535", field, addr)
	}
	return nil
}

// checkPath requires an absolute path: Fabric resolves relative paths against its config
// folder, which differs between local processes and pods.
func checkPath(field, p string) error {
	if p == "" {
		return fmt.Errorf("%s is empty", field)
	}
	if !filepath.IsAbs(p) {
		return fmt.Errorf("%s %q must be absolute", field, p)
	}
	return nil
}
