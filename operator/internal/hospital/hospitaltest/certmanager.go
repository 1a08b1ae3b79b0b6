// Package hospitaltest helps tests of code built on package hospital. cert-manager cannot run in these tests,
// so [IssueLikeCertManager] plays its part: it signs what a Certificate asks for and returns the Secret cert-manager
// would write.
package hospitaltest

import (
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/medledger/medledger/operator/internal/network/pki"
)

// IssueLikeCertManager issues the key pair a cert-manager Certificate describes (commonName, the first
// subject.organizationalUnits entry as NodeOU, dnsNames, server/client usages, duration) from ca at now, and
// returns the Secret cert-manager would write: tls.crt, tls.key and ca.crt, named spec.secretName, with the
// spec.secretTemplate labels.
//
// # Errors
//   - the Certificate's spec is malformed or the CA cannot issue it.
func IssueLikeCertManager(ca *pki.CA, cert *unstructured.Unstructured, now time.Time) (*corev1.Secret, error) {
	spec, _, _ := unstructured.NestedMap(cert.Object, "spec")
	cn, _, _ := unstructured.NestedString(spec, "commonName")
	secretName, _, _ := unstructured.NestedString(spec, "secretName")
	durationText, _, _ := unstructured.NestedString(spec, "duration")
	ous, _, _ := unstructured.NestedStringSlice(spec, "subject", "organizationalUnits")
	dns, _, _ := unstructured.NestedStringSlice(spec, "dnsNames")
	usages, _, _ := unstructured.NestedStringSlice(spec, "usages")
	labels, _, _ := unstructured.NestedStringMap(spec, "secretTemplate", "labels")
	d, err := time.ParseDuration(durationText)
	if err != nil || cn == "" || secretName == "" {
		return nil, fmt.Errorf("certificate %s: commonName %q, secretName %q, duration %q: %w", cert.GetName(), cn, secretName, durationText, err)
	}
	v := pki.ValidFor(now, d)
	var kp *pki.KeyPair
	if len(ous) > 0 {
		kp, err = ca.IssueIdentity(pki.IdentityRequest{CommonName: cn, Role: pki.Role(ous[0]), Validity: v})
	} else {
		kp, err = ca.IssueTLS(pki.TLSRequest{CommonName: cn, DNSNames: dns, Validity: v,
			Server: slices.Contains(usages, "server auth"), Client: slices.Contains(usages, "client auth")})
	}
	if err != nil {
		return nil, err
	}
	key, err := kp.KeyPEM()
	if err != nil {
		return nil, err
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: cert.GetNamespace(), Name: secretName, Labels: labels},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{corev1.TLSCertKey: kp.CertPEM(), corev1.TLSPrivateKeyKey: key, "ca.crt": ca.CertPEM()},
	}, nil
}
