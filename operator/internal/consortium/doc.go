// Package consortium holds the pure parts of the Consortium controller: which member hospitals can take part in
// the channel and why not ([Members]), the orderers' names and addresses ([OrdererAddresses]), the channel
// description the genesis block is built from ([ChannelSpec], through operator/internal/network/channel), and
// the status and conditions computed from what the controller observed ([ApplyStatus]). Nothing here talks to the API server, Fabric or the clock: the controller gathers the inputs
// (Hospitals, StatefulSets, channel participation answers), calls these functions and applies the result.
//
// A member takes part only when both sides agree: the Consortium lists the Hospital in spec.members and the
// Hospital lists the Consortium in spec.consortia. The Hospital controller reads the result back from
// status.memberStatuses (joined, reason) and status.contractRuntime.packageID.
//
// Still to come here (see the session report): orderer identities (CA, node certificates, Secrets), the orderer
// StatefulSet, Services and orderer.yaml (network/nodeconfig).
package consortium
