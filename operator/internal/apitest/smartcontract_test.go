package apitest

import (
	"strings"
	"testing"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

type contract = *v1alpha1.SmartContract

const (
	msgSHA256     = "must be a SHA-256 digest: 64 lower-case hex digits, as printed by sha256sum"
	msgOneSource  = "must set exactly one of configMap, url or oci"
	msgURL        = "must be an absolute http:// or https:// URL, for example https://artifacts.example.org/consent-1.0.0.wasm"
	msgOCI        = "must be registry/repository with a :tag or @sha256:<64 hex digits>, for example ghcr.io/medledger/consent:1.0.0"
	msgVersion    = "must be MAJOR.MINOR.PATCH with an optional leading v and -pre-release suffix, for example 1.2.0"
	msgContract   = "must be a lower-case letter, then lower-case letters, digits, '-' or '_' (for example consent)"
	msgSignature  = "must be a Fabric signature policy such as AND('Hospital1MSP.peer','Hospital2MSP.peer') or OutOf(2,'A.peer','B.peer','C.peer'); implicit meta rules are not allowed here"
	msgNewVersion = "changing source needs a new version: code deployed under a version never changes on the ledger"
)

func urlSource(url, sha string) v1alpha1.ContractSource {
	return v1alpha1.ContractSource{URL: &v1alpha1.URLModuleSource{URL: url, SHA256: v1alpha1.SHA256(sha)}}
}

func ociSource(ref string) v1alpha1.ContractSource {
	return v1alpha1.ContractSource{OCI: &v1alpha1.OCIModuleSource{Reference: ref}}
}

var smartContractCreateRefusals = []refusal[contract]{
	refuse("consortium name with capitals", func(c contract) { c.Spec.ConsortiumRef.Name = "CareNetwork" },
		"spec.consortiumRef.name", msgObjectName),
	refuse("consortium namespace with an underscore", func(c contract) {
		c.Spec.ConsortiumRef.Namespace = "shared_ledgers"
	}, "spec.consortiumRef.namespace", msgNamespace),
	refuse("contract name with capitals", func(c contract) { c.Spec.ContractName = "Consent" },
		"spec.contractName", msgContract),
	refuse("contract name with a slash", func(c contract) { c.Spec.ContractName = "care/consent" },
		"spec.contractName", msgContract),
	refuse("version without patch", func(c contract) { c.Spec.Version = "1.0" }, "spec.version", msgVersion),
	refuse("version as a word", func(c contract) { c.Spec.Version = "latest" }, "spec.version", msgVersion),
	refuse("no source", func(c contract) { c.Spec.Source = v1alpha1.ContractSource{} }, "spec.source", msgOneSource),
	refuse("two sources", func(c contract) {
		c.Spec.Source.URL = &v1alpha1.URLModuleSource{URL: "https://artifacts.example.org/consent.wasm", SHA256: digest}
	}, "spec.source", msgOneSource),
	refuse("ConfigMap key with a slash", func(c contract) { c.Spec.Source.ConfigMap.Key = "wasm/contract.wasm" }, "spec.source.configMap.key",
		"must be a ConfigMap key: letters, digits, '-', '_' and '.'"),
	refuse("ConfigMap pin in upper case", func(c contract) {
		c.Spec.Source.ConfigMap.SHA256 = v1alpha1.SHA256(strings.ToUpper(digest))
	}, "spec.source.configMap.sha256", msgSHA256),
	refuse("URL with another scheme", func(c contract) { c.Spec.Source = urlSource("ftp://artifacts.example.org/consent.wasm", digest) },
		"spec.source.url.url", msgURL),
	refuse("relative URL", func(c contract) { c.Spec.Source = urlSource("/artifacts/consent.wasm", digest) },
		"spec.source.url.url", msgURL),
	refuse("URL without a host", func(c contract) { c.Spec.Source = urlSource("https:///consent.wasm", digest) },
		"spec.source.url.url", msgURL),
	refuse("URL digest that is not hex", func(c contract) {
		c.Spec.Source = urlSource("https://artifacts.example.org/consent.wasm", strings.Repeat("g", 64))
	}, "spec.source.url.sha256", msgSHA256),
	refuse("OCI reference without a tag", func(c contract) { c.Spec.Source = ociSource("ghcr.io/medledger/consent") },
		"spec.source.oci.reference", msgOCI),
	refuse("OCI reference without a registry", func(c contract) { c.Spec.Source = ociSource("consent:1.0.0") },
		"spec.source.oci.reference", msgOCI),
	refuse("OCI reference with a short digest", func(c contract) {
		c.Spec.Source = ociSource("ghcr.io/medledger/consent@sha256:e3b0c442")
	}, "spec.source.oci.reference", msgOCI),
	refuse("zero gas", func(c contract) { c.Spec.Limits = &v1alpha1.ContractLimits{Gas: ptr[int64](0)} },
		"spec.limits.gas", msgGas),
	refuse("negative gas", func(c contract) { c.Spec.Limits = &v1alpha1.ContractLimits{Gas: ptr[int64](-5)} },
		"spec.limits.gas", msgGas),
	refuse("memory pages past 4 GiB", func(c contract) {
		c.Spec.Limits = &v1alpha1.ContractLimits{MemoryPages: ptr[int32](70000)}
	}, "spec.limits.memoryPages", msgMemoryPages),
	refuse("implicit meta endorsement", func(c contract) { c.Spec.EndorsementPolicy = "MAJORITY Endorsement" },
		"spec.endorsementPolicy", msgSignature),
	refuse("endorsement without principals", func(c contract) { c.Spec.EndorsementPolicy = "AND()" },
		"spec.endorsementPolicy", msgSignature),
	refuse("endorsement principal without a role", func(c contract) {
		c.Spec.EndorsementPolicy = "OR('StMarysMSP.peer','CityGeneralMSP')"
	}, "spec.endorsementPolicy", msgSignature),
}

var smartContractUpdateRefusals = []refusal[contract]{
	refuse("moved to another consortium", func(c contract) { c.Spec.ConsortiumRef.Name = "research-network" }, "spec.consortiumRef",
		"is immutable: a contract's state lives on one ledger; create another SmartContract to deploy elsewhere"),
	refuse("consortium namespace spelled out", func(c contract) { c.Spec.ConsortiumRef.Namespace = "elsewhere" }, "spec.consortiumRef",
		"is immutable: a contract's state lives on one ledger; create another SmartContract to deploy elsewhere"),
	refuse("renamed", func(c contract) { c.Spec.ContractName = "consent2" }, "spec.contractName",
		"is immutable: it namespaces the contract's keys on the ledger; create another SmartContract for a new name"),
	refuse("new ConfigMap under the same version", func(c contract) { c.Spec.Source.ConfigMap.Name = "consent-wasm-2" },
		"spec", msgNewVersion),
	refuse("new source kind under the same version", func(c contract) {
		c.Spec.Source = urlSource("https://artifacts.example.org/consent.wasm", digest)
	}, "spec", msgNewVersion),
}

func TestSmartContract_Create_Errors(t *testing.T) {
	checkCreateRefused(t, namespace(t, "smartcontract-create-errors"), validSmartContract, smartContractCreateRefusals)
}

func TestSmartContract_Update_Errors(t *testing.T) {
	checkUpdateRefused(t, namespace(t, "smartcontract-update-errors"), validSmartContract, smartContractUpdateRefusals)
}

func TestSmartContract_Create(t *testing.T) {
	checkCreateAccepted(t, namespace(t, "smartcontract-create"), validSmartContract, []change[contract]{
		{"defaults: snapshot isolation, uncompressed", func(c contract) { c.Spec.Source.ConfigMap.Compression = "" }, func(t *testing.T, c contract) {
			requireSpec(t, v1alpha1.SmartContractSpec{
				ConsortiumRef: v1alpha1.ConsortiumReference{Name: "care-network"},
				ContractName:  "consent",
				Version:       "1.0.0",
				Source: v1alpha1.ContractSource{ConfigMap: &v1alpha1.ConfigMapModuleSource{
					Name: "consent-wasm", Key: "contract.wasm.gz", Compression: v1alpha1.CompressionNone,
				}},
				Isolation: v1alpha1.IsolationSnapshot,
			}, c.Spec)
		}},
		{"pinned ConfigMap", func(c contract) { c.Spec.Source.ConfigMap.SHA256 = digest }, nil},
		{"URL with digest", func(c contract) {
			c.Spec.Source = urlSource("https://artifacts.example.org:8443/consent-1.0.0.wasm", digest)
		}, nil},
		{"in-cluster http URL", func(c contract) { c.Spec.Source = urlSource("http://artifacts.medledger.svc/consent.wasm", digest) }, nil},
		{"OCI by tag", func(c contract) { c.Spec.Source = ociSource("ghcr.io/medledger/consent:1.0.0") }, nil},
		{"OCI by digest", func(c contract) { c.Spec.Source = ociSource("ghcr.io/medledger/consent@sha256:" + digest) }, nil},
		{"OCI on a port, tag and digest", func(c contract) {
			c.Spec.Source = ociSource("registry.local:5000/team/contracts/consent:v1.0.0-rc.1@sha256:" + digest)
			c.Spec.Source.OCI.PullSecretName = "registry-creds"
		}, nil},
		{"everything set, at the bounds", func(c contract) {
			c.Spec.ContractName = "drug_trace-2"
			c.Spec.Version = "v2.0.0-rc.1"
			c.Spec.Isolation = v1alpha1.IsolationFresh
			c.Spec.Limits = &v1alpha1.ContractLimits{Gas: ptr[int64](1), MemoryPages: ptr[int32](1)}
			c.Spec.EndorsementPolicy = "AND('StMarysMSP.peer','CityGeneralMSP.peer')"
		}, nil},
	})
}

func TestSmartContract_Update(t *testing.T) {
	checkUpdateAccepted(t, namespace(t, "smartcontract-update"), validSmartContract, []change[contract]{
		{"new code under a new version", func(c contract) {
			c.Spec.Version = "1.1.0"
			c.Spec.Source = ociSource("ghcr.io/medledger/consent:1.1.0")
		}, nil},
		{"same code under a new version", func(c contract) { c.Spec.Version = "1.0.1" }, nil},
		{"limits and isolation", func(c contract) {
			c.Spec.Isolation = v1alpha1.IsolationPooled
			c.Spec.Limits = &v1alpha1.ContractLimits{MemoryPages: ptr[int32](256)}
		}, nil},
		{"endorsement override", func(c contract) { c.Spec.EndorsementPolicy = "OR('StMarysMSP.peer','CityGeneralMSP.peer')" }, nil},
	})
}
