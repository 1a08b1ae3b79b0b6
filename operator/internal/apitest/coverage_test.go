package apitest

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// celRule is one x-kubernetes-validations entry of a CRD, where the API server reports it.
type celRule struct {
	kind, field string
	message     string // the static message, or the messageExpression's leading string literal
	expression  bool
}

// caseRef is what a refusal case promises to check.
type caseRef struct{ kind, field, want string }

func refs[T client.Object](kind string, cases ...[]refusal[T]) []caseRef {
	var out []caseRef
	for _, cs := range cases {
		for _, c := range cs {
			out = append(out, caseRef{kind, c.field, c.want})
		}
	}
	return out
}

var leadingLiteral = regexp.MustCompile(`^'([^']*)'`)

// crdRules lists every CEL rule of every CRD in config/crd/bases, with the field path the API server reports
// (list items as [*]).
func crdRules(t *testing.T) []celRule {
	t.Helper()
	var rules []celRule
	for kind, crd := range readCRDs(t) {
		for _, v := range crd.Spec.Versions {
			walkSchema(v.Schema.OpenAPIV3Schema, "", func(path string, s *apiextensionsv1.JSONSchemaProps) {
				for _, r := range s.XValidations {
					rule := celRule{kind: kind, field: path, message: r.Message}
					if r.MessageExpression != "" {
						m := leadingLiteral.FindStringSubmatch(r.MessageExpression)
						if m == nil {
							t.Fatalf("%s %s: messageExpression must start with a string literal: %s", kind, path, r.MessageExpression)
						}
						rule.message, rule.expression = m[1], true
					}
					if rule.message == "" {
						t.Errorf("%s %s: rule %q has no message", kind, path, r.Rule)
					}
					rules = append(rules, rule)
				}
			})
		}
	}
	return rules
}

var listIndex = regexp.MustCompile(`\[[0-9]+\]`)

// TestCRDs_EveryRuleTested requires, for every CEL rule of every CRD, a refusal case on that rule's field that
// expects exactly its message: a rule added without a test, or a message reworded without its test, fails here.
func TestCRDs_EveryRuleTested(t *testing.T) {
	var cases []caseRef
	cases = append(cases, refs("Hospital", hospitalCreateRefusals, hospitalUpdateRefusals)...)
	cases = append(cases, refs("Consortium", consortiumCreateRefusals, consortiumUpdateRefusals)...)
	cases = append(cases, refs("SmartContract", smartContractCreateRefusals, smartContractUpdateRefusals)...)

	rules := crdRules(t)
	if len(rules) < 60 {
		t.Fatalf("found only %d CEL rules; the CRD walk is broken", len(rules))
	}
	for _, r := range rules {
		covered := slices.ContainsFunc(cases, func(c caseRef) bool {
			if c.kind != r.kind || listIndex.ReplaceAllString(c.field, "[*]") != r.field {
				return false
			}
			if r.expression {
				return strings.HasPrefix(c.want, r.message)
			}
			return c.want == r.message
		})
		if !covered {
			t.Errorf("%s %s: no refusal case for rule %q", r.kind, r.field, r.message)
		}
	}
	t.Logf("%d CEL rules, %d refusal cases", len(rules), len(cases))
}
