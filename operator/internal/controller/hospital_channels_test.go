package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/hospital"
)

func consortium(ns, name string, members ...string) *v1alpha1.Consortium {
	c := &v1alpha1.Consortium{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       v1alpha1.ConsortiumSpec{ChannelName: name, Orderer: v1alpha1.OrdererSpec{OrgMSPID: "CareNetOrdererMSP"}},
	}
	for _, m := range members {
		c.Spec.Members = append(c.Spec.Members, v1alpha1.HospitalReference{Name: m})
	}
	return c
}

// setMemberStatus plays the Consortium controller, which is not part of this package: it reports members and the
// committed wasmcc package.
func setMemberStatus(t *testing.T, ns, name string, packageID string, members ...v1alpha1.ConsortiumMemberStatus) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		c := &v1alpha1.Consortium{}
		if err := get(ns, name, c); err != nil {
			return err
		}
		c.Status.MemberStatuses = members
		if packageID != "" {
			c.Status.ContractRuntime = &v1alpha1.ChaincodeDefinitionStatus{Name: "wasmcc", Version: "1.0", Sequence: 1, PackageID: packageID}
		}
		return k8s.Status().Update(context.Background(), c)
	})
}

func TestHospitalReconciler_Channels(t *testing.T) {
	ns := namespace(t, "channels")
	create(t, newHospital(ns, "st-marys", withConsortia("care-network")))
	reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		return hasCondition(h, v1alpha1.HospitalChannelsJoined, metav1.ConditionFalse, v1alpha1.ReasonReferenceNotFound)
	})

	// The consortium exists but does not list the hospital.
	create(t, consortium(ns, "care-network", "city-general"))
	reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		return hasCondition(h, v1alpha1.HospitalChannelsJoined, metav1.ConditionFalse, v1alpha1.ReasonNotAMember)
	})

	// Both sides agree; the consortium has not joined the peers yet.
	eventually(t, 10*time.Second, func() error {
		c := &v1alpha1.Consortium{}
		if err := get(ns, "care-network", c); err != nil {
			return err
		}
		c.Spec.Members = append(c.Spec.Members, v1alpha1.HospitalReference{Name: "st-marys"})
		return k8s.Update(context.Background(), c)
	})
	reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		return hasCondition(h, v1alpha1.HospitalChannelsJoined, metav1.ConditionFalse, v1alpha1.ReasonProgressing)
	})

	// Another member uses the same MSP ID.
	setMemberStatus(t, ns, "care-network", "",
		v1alpha1.ConsortiumMemberStatus{Name: "city-general", Namespace: ns, MSPID: "StMarysMSP", Joined: true},
		v1alpha1.ConsortiumMemberStatus{Name: "st-marys", Namespace: ns, MSPID: "StMarysMSP"})
	reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		return hasCondition(h, v1alpha1.HospitalChannelsJoined, metav1.ConditionFalse, v1alpha1.ReasonMSPIDConflict)
	})

	// Joined, with wasmcc committed: the channel shows in status and wasmcc serves the package.
	setMemberStatus(t, ns, "care-network", "wasmcc_1.0:0123abcd",
		v1alpha1.ConsortiumMemberStatus{Name: "city-general", Namespace: ns, MSPID: "CityGeneralMSP", Joined: true},
		v1alpha1.ConsortiumMemberStatus{Name: "st-marys", Namespace: ns, MSPID: "StMarysMSP", Joined: true})
	h := reconciled(t, ns, "st-marys", func(h *v1alpha1.Hospital) error {
		if err := hasCondition(h, v1alpha1.HospitalChannelsJoined, metav1.ConditionTrue, v1alpha1.ReasonChannelsJoined); err != nil {
			return err
		}
		var cm corev1.ConfigMap
		if err := get(ns, "st-marys-wasmcc", &cm); err != nil {
			return err
		}
		if cm.Data[hospital.EnvChaincodeID] != "wasmcc_1.0:0123abcd" {
			return fmt.Errorf("wasmcc serves %q", cm.Data[hospital.EnvChaincodeID])
		}
		return nil
	})
	if len(h.Status.Channels) != 1 || h.Status.Channels[0].Name != "care-network" || h.Status.Channels[0].Consortium != ns+"/care-network" || h.Status.Channels[0].JoinedAt == nil {
		t.Errorf("channels %+v", h.Status.Channels)
	}
	// Ready does not wait for channels: a consortium joins only Ready hospitals.
	if err := hasCondition(h, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonProgressing); err != nil {
		t.Error(err)
	}
}
