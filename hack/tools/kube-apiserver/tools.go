//go:build tools

// Package tools pins kube-apiserver.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
