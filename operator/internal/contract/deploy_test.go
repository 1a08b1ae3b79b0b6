package contract

import (
	"strings"
	"testing"
	"time"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/runtime/chaincode"
)

func ptr[T any](v T) *T { return &v }

func TestDeploySpec(t *testing.T) {
	m := Module{Bytes: module, SHA256: string(sum(module))}
	defaults := v1alpha1.ContractLimits{Gas: ptr(int64(1_000_000)), MemoryPages: ptr(int32(256))}
	tests := []struct {
		name      string
		mod       func(*v1alpha1.SmartContract)
		defaults  v1alpha1.ContractLimits
		gas       uint64
		pages     uint32
		isolation string
	}{
		{"runtime defaults", func(*v1alpha1.SmartContract) {}, v1alpha1.ContractLimits{}, 0, 0, ""},
		{"hospital defaults", func(*v1alpha1.SmartContract) {}, defaults, 1_000_000, 256, ""},
		{"own limits win", func(sc *v1alpha1.SmartContract) {
			sc.Spec.Limits = &v1alpha1.ContractLimits{Gas: ptr(int64(5))}
			sc.Spec.Isolation = v1alpha1.IsolationFresh
		}, defaults, 5, 256, "fresh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := smartContract("a", "consent", tt.mod)
			ds, f := DeploySpec(sc, m, tt.defaults)
			if f != nil {
				t.Fatal(f)
			}
			if ds.Name != "consent" || ds.Version != "1.0.0" || ds.SHA256 != m.SHA256 || ds.Limits.GasLimit != tt.gas ||
				ds.Limits.MemoryPages != tt.pages || ds.Isolation != tt.isolation {
				t.Fatalf("got %+v", ds)
			}
		})
	}
}

func TestDeploySpec_Errors(t *testing.T) {
	for _, name := range []string{"consent_v2", strings.Repeat("a", 64)} {
		t.Run(name, func(t *testing.T) {
			_, f := DeploySpec(smartContract("a", "x", contractName(name)), Module{SHA256: string(sum(module))}, v1alpha1.ContractLimits{})
			if f == nil || f.Reason != v1alpha1.ReasonInvalidSpec || f.Retry || !strings.Contains(f.Message, "spec.contractName") {
				t.Fatalf("got %+v, want InvalidSpec on spec.contractName", f)
			}
		})
	}
}

func TestPlan(t *testing.T) {
	m := Module{Bytes: module, SHA256: string(sum(module))}
	other := string(sum([]byte("other")))
	tests := []struct {
		name   string
		ledger *chaincode.Entry
		want   Action
		reason string
	}{
		{"not deployed", nil, ActionDeploy, ""},
		{"older version", &chaincode.Entry{Name: "consent", Version: "0.9.0", SHA256: other}, ActionUpgrade, ""},
		{"same version, same code", &chaincode.Entry{Name: "consent", Version: "1.0.0", SHA256: m.SHA256}, ActionNone, ""},
		{"same version, other code", &chaincode.Entry{Name: "consent", Version: "1.0.0", SHA256: other}, ActionNone, v1alpha1.ReasonDeployFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, f := Plan(smartContract("a", "consent"), m, tt.ledger)
			if a != tt.want {
				t.Fatalf("action %s, want %s", a, tt.want)
			}
			switch {
			case tt.reason == "" && f != nil:
				t.Fatal(f)
			case tt.reason != "" && (f == nil || f.Reason != tt.reason || f.Retry || !strings.Contains(f.Message, other)):
				t.Fatalf("got %+v, want %s naming the ledger's digest", f, tt.reason)
			}
		})
	}
}

func TestDeployed(t *testing.T) {
	at := time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)
	d := Deployed(chaincode.Entry{Version: "1.0.0", TxID: "tx9", Timestamp: at}, 12)
	if d.Version != "1.0.0" || d.TxID != "tx9" || d.Block != 12 || !d.At.Equal(at) {
		t.Fatalf("got %+v", d)
	}
}
