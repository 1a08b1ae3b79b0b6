package apitest

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// kustomizeResources reads the resources list of dir/kustomization.yaml, sorted.
func kustomizeResources(t *testing.T, dir string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(raw, &k); err != nil {
		t.Fatalf("%s/kustomization.yaml: %v", dir, err)
	}
	slices.Sort(k.Resources)
	return k.Resources
}

// yamlFiles lists the YAML files of dir other than kustomization.yaml, relative to rel, sorted.
func yamlFiles(t *testing.T, dir, rel string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, rel, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if base := filepath.Base(f); base != "kustomization.yaml" {
			out = append(out, filepath.Join(rel, base))
		}
	}
	slices.Sort(out)
	return out
}

// A manifest left out of a kustomization.yaml would never be applied.
func TestKustomization_Resources(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dir, files string
		want       int
	}{
		{dir: "config/crd", files: "bases", want: 3},
		{dir: "config/samples", files: "", want: 6},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join(root, tc.dir)
			listed, present := kustomizeResources(t, dir), yamlFiles(t, dir, tc.files)
			if !slices.Equal(listed, present) {
				t.Fatalf("kustomization.yaml lists %v, the folder holds %v", listed, present)
			}
			if len(listed) != tc.want {
				t.Fatalf("%d resources, want %d", len(listed), tc.want)
			}
		})
	}
}

// TestSamples_Create applies every sample with strict field validation, so a misspelt field fails instead of being
// dropped with a warning.
func TestSamples_Create(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "config", "samples")
	ns := namespace(t, "samples")
	c := apiClient(t)
	kinds := map[string]int{}
	for _, name := range kustomizeResources(t, dir) {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal(raw, &u.Object); err != nil {
				t.Fatalf("parsing: %v", err)
			}
			u.SetNamespace(ns)
			if err := c.Create(context.Background(), u, client.FieldValidation("Strict")); err != nil {
				t.Fatalf("API server refused the sample: %v", err)
			}
			kinds[u.GetKind()]++
		})
	}
	if want := map[string]int{"Hospital": 2, "Consortium": 1, "SmartContract": 3}; !maps.Equal(kinds, want) {
		t.Fatalf("samples by kind: %v, want %v", kinds, want)
	}
}
