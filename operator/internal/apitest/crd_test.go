package apitest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// readCRDs parses config/crd/bases, keyed by kind.
func readCRDs(t *testing.T) map[string]*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "config", "crd", "bases", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in config/crd/bases (%v)", err)
	}
	crds := map[string]*apiextensionsv1.CustomResourceDefinition{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(raw, crd); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		crds[crd.Spec.Names.Kind] = crd
	}
	return crds
}

// walkSchema calls fn for every property below s, with its dotted path (list items as [*]).
func walkSchema(s *apiextensionsv1.JSONSchemaProps, path string, fn func(path string, s *apiextensionsv1.JSONSchemaProps)) {
	fn(path, s)
	for name, p := range s.Properties {
		walkSchema(&p, strings.TrimPrefix(path+"."+name, "."), fn)
	}
	if s.Items != nil && s.Items.Schema != nil {
		walkSchema(s.Items.Schema, path+"[*]", fn)
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		walkSchema(s.AdditionalProperties.Schema, path+"[*]", fn)
	}
}

var jsonPathFilter = regexp.MustCompile(`\[\?\([^]]*\)\]`)

// TestCRDs_Names checks what `kubectl get` users type and see: names, short names, category and printer columns,
// each column pointing at a field that exists in the schema.
func TestCRDs_Names(t *testing.T) {
	crds := readCRDs(t)
	for _, tc := range []struct {
		kind, plural, shortName string
		columns                 []string
	}{
		{"Hospital", "hospitals", "hosp", []string{"MSPID", "Peers", "Ready", "Height", "CertExpiry", "Age"}},
		{"Consortium", "consortia", "cons", []string{"Channel", "Members", "Orderers", "Height", "Ready", "Age"}},
		{"SmartContract", "smartcontracts", "smc", []string{"Consortium", "Version", "Digest", "Phase", "Age"}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			crd, ok := crds[tc.kind]
			if !ok {
				t.Fatalf("no CRD for %s", tc.kind)
			}
			n := crd.Spec.Names
			if crd.Spec.Group != "medledger.io" || n.Plural != tc.plural || !slices.Equal(n.ShortNames, []string{tc.shortName}) ||
				!slices.Equal(n.Categories, []string{"medledger"}) || crd.Spec.Scope != apiextensionsv1.NamespaceScoped {
				t.Fatalf("names = %+v, group %s, scope %s", n, crd.Spec.Group, crd.Spec.Scope)
			}
			if len(crd.Spec.Versions) != 1 || crd.Spec.Versions[0].Name != "v1alpha1" || crd.Spec.Versions[0].Subresources.Status == nil {
				t.Fatalf("want one version v1alpha1 with a status subresource")
			}
			v := crd.Spec.Versions[0]
			fields := map[string]bool{}
			walkSchema(v.Schema.OpenAPIV3Schema, "", func(path string, _ *apiextensionsv1.JSONSchemaProps) { fields[path] = true })
			var names []string
			for _, col := range v.AdditionalPrinterColumns {
				names = append(names, col.Name)
				path := jsonPathFilter.ReplaceAllString(strings.TrimPrefix(col.JSONPath, "."), "[*]")
				if !fields[path] && !strings.HasPrefix(path, "metadata.") {
					t.Errorf("column %s: %s is not a field of the schema", col.Name, col.JSONPath)
				}
			}
			if !slices.Equal(names, tc.columns) {
				t.Fatalf("printer columns %v, want %v", names, tc.columns)
			}
		})
	}
}

// TestCRDs_Descriptions requires a description on every field, because they are the `kubectl explain` text.
func TestCRDs_Descriptions(t *testing.T) {
	for kind, crd := range readCRDs(t) {
		walkSchema(crd.Spec.Versions[0].Schema.OpenAPIV3Schema, "", func(path string, s *apiextensionsv1.JSONSchemaProps) {
			if path == "metadata" || strings.HasPrefix(path, "metadata.") || strings.HasSuffix(path, "[*]") {
				return // ObjectMeta is the API server's; list items are described by their list.
			}
			if strings.TrimSpace(s.Description) == "" {
				t.Errorf("%s %q has no description", kind, path)
			}
		})
	}
}
