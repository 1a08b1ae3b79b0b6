package abi

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// NamespacePrefix starts every world-state key the host stores for a contract: "ns/<contract>/<key>".
const NamespacePrefix = "ns/"

// MaxContractNameBytes bounds a deployed contract's name.
const MaxContractNameBytes = 63

// MaxCollectionBytes bounds a private data collection name.
const MaxCollectionBytes = 128

// ValidateContractName reports whether name may name a deployed contract: ^[a-z][a-z0-9-]{0,62}$, so it never
// contains '/' and a namespace can never overlap another.
//
// # Errors
//
// An error naming the offending byte or the length when name does not match.
func ValidateContractName(name string) error {
	if name == "" {
		return fmt.Errorf("contract name is empty")
	}
	if len(name) > MaxContractNameBytes {
		return fmt.Errorf("contract name is %d bytes, limit %d", len(name), MaxContractNameBytes)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '-')
		if !ok {
			return fmt.Errorf("contract name %q: byte %d (%q) is not allowed (want ^[a-z][a-z0-9-]{0,62}$)", name, i, c)
		}
	}
	return nil
}

// ValidateKey reports whether key is a valid contract key: 1 to maxBytes bytes of valid UTF-8 without 0x00.
//
// # Errors
//
// An error saying which rule key breaks (empty, too long, invalid UTF-8, contains 0x00).
func ValidateKey(key []byte, maxBytes int) error {
	switch {
	case len(key) == 0:
		return fmt.Errorf("key is empty")
	case len(key) > maxBytes:
		return fmt.Errorf("key is %d bytes, limit %d", len(key), maxBytes)
	case !utf8.Valid(key):
		return fmt.Errorf("key is not valid UTF-8")
	}
	for i, b := range key {
		if b == 0 {
			return fmt.Errorf("key contains byte 0x00 at offset %d (reserved for composite keys)", i)
		}
	}
	return nil
}

// ValidateCollection reports whether coll is a valid private data collection name: 1 to MaxCollectionBytes bytes
// of [A-Za-z0-9_.-] (this includes the implicit "_implicit_org_<MSPID>" collections).
//
// # Errors
//
// An error naming the offending byte or the length.
func ValidateCollection(coll []byte) error {
	if len(coll) == 0 {
		return fmt.Errorf("collection name is empty")
	}
	if len(coll) > MaxCollectionBytes {
		return fmt.Errorf("collection name is %d bytes, limit %d", len(coll), MaxCollectionBytes)
	}
	for i, c := range coll {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
		if !ok {
			return fmt.Errorf("collection name: byte %d (%q) is not allowed (want [A-Za-z0-9_.-])", i, c)
		}
	}
	return nil
}

// Namespace returns the prefix of every key of contract: "ns/<contract>/".
func Namespace(contract string) string { return NamespacePrefix + contract + "/" }

// NamespacedKey returns the stored form of a contract's key: "ns/<contract>/<key>".
func NamespacedKey(contract string, key []byte) string {
	var b strings.Builder
	b.Grow(len(NamespacePrefix) + len(contract) + 1 + len(key))
	b.WriteString(NamespacePrefix)
	b.WriteString(contract)
	b.WriteByte('/')
	b.Write(key)
	return b.String()
}
