package hospital

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Labels returns the labels of every object made for the hospital's component: the recommended
// app.kubernetes.io set plus LabelHospital.
func Labels(hospital, component, app string) map[string]string {
	return map[string]string{
		LabelHospital:  hospital,
		LabelComponent: component,
		LabelName:      app,
		LabelInstance:  hospital,
		LabelPartOf:    "medledger",
		LabelManagedBy: ManagedBy,
	}
}

// SelectorLabels returns the labels that select a component's pods. They never change, because a workload's
// selector cannot.
func SelectorLabels(hospital, component string) map[string]string {
	return map[string]string{LabelHospital: hospital, LabelComponent: component}
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func objectMeta(m *Model, name, component, app string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: m.Namespace, Labels: Labels(m.Name, component, app)}
}

// digest returns a short, stable digest of string data (sorted by key), for pod template annotations.
func digest(data map[string]string) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(data[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
