package controller

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/hospital"
)

// summarise writes what the pass learnt into the Hospital's status. Conditions whose inputs this pass did not
// observe keep their previous value; observedGeneration moves only when the pass succeeded.
func (r *HospitalReconciler) summarise(s *scope, failed error) {
	h, m, now := s.h, s.model, s.now
	if !h.DeletionTimestamp.IsZero() {
		setReadyCondition(h, true, nil, nil, now)
		return
	}
	if m != nil {
		in := identityInput{problem: s.identityProblem}
		if s.identity != nil {
			in.renewed, in.revision = s.identityPlan.Renewed, s.identity.Revision
			in.stalePods, in.expiry = stalePods(s.pods, s.identity.Revision), s.identity.Expiry()
			expiry, renewal := metav1.NewTime(in.expiry), metav1.NewTime(s.identity.RenewalTime(m))
			h.Status.CertificateExpiry, h.Status.CertificateRenewalTime = &expiry, &renewal
			if renewal.IsZero() {
				h.Status.CertificateRenewalTime = nil
			}
			h.Status.CACertificateSecret = hospital.CACertsSecretName(h.Name)
		}
		setIdentityReadyCondition(h, in, now)
	}
	if s.consortia != nil {
		p, joined, _ := channelsJoined(h, s.consortia, now)
		h.Status.Channels = joined
		setChannelsJoinedCondition(h, p, len(joined), now)
	}
	if s.sts != nil {
		in := statefulSetInput(h.Name, s.sts, s.pods)
		versions := peerVersions(s.pods)
		setPeersReadyCondition(h, in, versions, m.FabricVersion, now)
		h.Status.DesiredPeers, h.Status.ReadyPeers = in.desired, in.ready
		h.Status.Peers = fmt.Sprintf("%d/%d", in.ready, in.desired)
		if v := oldestVersion(versions); v != "" {
			h.Status.FabricVersion = v
		}
		h.Status.PeerEndpoints = nil
		for i := 0; i < int(in.desired); i++ {
			p := findPod(s.pods, hospital.PeerPodName(h.Name, i))
			h.Status.PeerEndpoints = append(h.Status.PeerEndpoints, v1alpha1.PeerEndpoint{
				Name: hospital.PeerPodName(h.Name, i), Address: m.PeerAddress(i), ExternalAddress: m.PeerExternalAddress(i),
				Ready: p != nil && podReady(p),
			})
		}
	}
	if s.deploy != nil {
		setContractRuntimeReadyCondition(h, deploymentInput(s.deploy), now)
		h.Status.ContractRuntimeEndpoint = m.WasmccAddress()
	}
	setReadyCondition(h, false, s.invalid, failed, now)
	if failed == nil {
		h.Status.ObservedGeneration = h.Generation
	}
}
