package v1alpha1

// Hospital condition types, besides ConditionReady.
const (
	// HospitalIdentityReady is True when the organisation's CA is available and every node certificate is valid
	// and not inside its renewal window.
	HospitalIdentityReady = "IdentityReady"

	// HospitalPeersReady is True when every desired peer passes its readiness probe on the desired Fabric version.
	HospitalPeersReady = "PeersReady"

	// HospitalContractRuntimeReady is True when every desired wasmcc pod is available.
	HospitalContractRuntimeReady = "ContractRuntimeReady"

	// HospitalChannelsJoined is True when the peers have joined the channel of every consortium that both lists
	// this hospital as a member and is listed in spec.consortia.
	HospitalChannelsJoined = "ChannelsJoined"
)

// Hospital condition reasons.
const (
	// ReasonCAReady surfaces on IdentityReady=True when the CA is available and node certificates are valid.
	ReasonCAReady = "CAReady"

	// ReasonIssuerNotFound surfaces when identity.certManager.issuerRef names an issuer that does not exist, or
	// cert-manager is not installed. Create the Issuer or ClusterIssuer, or fix the reference.
	ReasonIssuerNotFound = "IssuerNotFound"

	// ReasonCertificateNotIssued surfaces while cert-manager has not yet issued a requested certificate; its
	// message repeats the Certificate's own condition. Check the issuer if it persists.
	ReasonCertificateNotIssued = "CertificateNotIssued"

	// ReasonCASecretInvalid surfaces when identity.secret names a Secret that is missing ca.crt or ca.key, or
	// holds a certificate that is not a CA or a key that does not match it. Fix the Secret's contents.
	ReasonCASecretInvalid = "CASecretInvalid"

	// ReasonCertificateRenewing surfaces while node certificates inside their renewal window are being replaced;
	// peers restart one at a time and keep serving.
	ReasonCertificateRenewing = "CertificateRenewing"

	// ReasonCertificateExpired surfaces when a node certificate has expired and could not be renewed, so its
	// peer cannot talk to the network. The message names the certificate; fix the CA or issuer.
	ReasonCertificateExpired = "CertificateExpired"

	// ReasonPeersAvailable surfaces on PeersReady=True when every desired peer is ready.
	ReasonPeersAvailable = "PeersAvailable"

	// ReasonPeersUnavailable surfaces when fewer peers are ready than desired after the rollout finished, for
	// example a crash loop or an unbound volume. The message names the pods; check their events and logs.
	ReasonPeersUnavailable = "PeersUnavailable"

	// ReasonFabricUpgrading surfaces while peers roll to a new spec.fabric.version one at a time.
	ReasonFabricUpgrading = "FabricUpgrading"

	// ReasonRuntimeAvailable surfaces on ContractRuntimeReady=True when every desired wasmcc pod is available.
	ReasonRuntimeAvailable = "RuntimeAvailable"

	// ReasonRuntimeUnavailable surfaces when fewer wasmcc pods are available than desired; contract calls on this
	// hospital's peers fail until it recovers. Check the wasmcc pods' events and logs.
	ReasonRuntimeUnavailable = "RuntimeUnavailable"

	// ReasonChannelsJoined surfaces on ChannelsJoined=True when every agreed channel is joined.
	ReasonChannelsJoined = "ChannelsJoined"

	// ReasonNotAMember surfaces when spec.consortia names a Consortium that does not list this hospital in its
	// spec.members. Ask the consortium's administrators to add it, or remove the reference.
	ReasonNotAMember = "NotAMember"

	// ReasonMSPIDConflict surfaces when another Hospital in a shared consortium already uses this spec.mspID.
	// MSP IDs must be unique within a channel; create the Hospital with another MSP ID.
	ReasonMSPIDConflict = "MSPIDConflict"

	// ReasonChannelJoinFailed surfaces when a peer could not join a channel, for example because the orderers
	// are unreachable. The message has the peer's error; the operator retries.
	ReasonChannelJoinFailed = "ChannelJoinFailed"
)
