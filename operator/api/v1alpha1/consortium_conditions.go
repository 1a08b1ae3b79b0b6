package v1alpha1

// Consortium condition types, besides ConditionReady.
const (
	// ConsortiumOrderersReady is True when every desired orderer node is ready and in the channel's consenter set.
	ConsortiumOrderersReady = "OrderersReady"

	// ConsortiumChannelCreated is True when the orderers have joined the channel through the channel
	// participation API.
	ConsortiumChannelCreated = "ChannelCreated"

	// ConsortiumMembersJoined is True when every member hospital's peers have joined the channel and its anchor
	// peers are in the channel configuration.
	ConsortiumMembersJoined = "MembersJoined"

	// ConsortiumContractRuntimeCommitted is True when every member has approved the wasmcc chaincode definition and
	// it is committed on the channel, so SmartContracts can be deployed.
	ConsortiumContractRuntimeCommitted = "ContractRuntimeCommitted"
)

// Consortium condition reasons.
const (
	// ReasonOrderersAvailable surfaces on OrderersReady=True when every desired orderer is ready.
	ReasonOrderersAvailable = "OrderersAvailable"

	// ReasonOrderersUnavailable surfaces when fewer orderers are ready than desired. While a majority (etcdraft)
	// or 2f+1 (BFT) of them is ready the channel keeps ordering; check the orderer pods' events and logs.
	ReasonOrderersUnavailable = "OrderersUnavailable"

	// ReasonChannelCreated surfaces on ChannelCreated=True once the orderers serve the channel.
	ReasonChannelCreated = "ChannelCreated"

	// ReasonChannelCreateFailed surfaces when the orderers refused the channel's genesis block; the message has
	// the orderer's error, usually about a member's MSP. Fix the named Hospital or the orderer identity.
	ReasonChannelCreateFailed = "ChannelCreateFailed"

	// ReasonMembersJoined surfaces on MembersJoined=True when every member has joined.
	ReasonMembersJoined = "MembersJoined"

	// ReasonMemberNotReady surfaces when a member Hospital exists but is not Ready yet; status.memberStatuses
	// names it. It clears when the Hospital becomes Ready.
	ReasonMemberNotReady = "MemberNotReady"

	// ReasonMemberNotConsenting surfaces when a member Hospital does not list this Consortium in its
	// spec.consortia, so it will not join. Ask its administrators to add the reference, or remove the member.
	ReasonMemberNotConsenting = "MemberNotConsenting"

	// ReasonDuplicateMSPID surfaces when two members share an MSP ID, which Fabric cannot tell apart. Remove one
	// of them from spec.members.
	ReasonDuplicateMSPID = "DuplicateMSPID"

	// ReasonConfigUpdateFailed surfaces when a channel configuration update (adding a member, setting anchor
	// peers, changing batch settings or policies) was not accepted; the message has the orderer's error, often an
	// unsatisfied admin policy.
	ReasonConfigUpdateFailed = "ConfigUpdateFailed"

	// ReasonContractRuntimeCommitted surfaces on ContractRuntimeCommitted=True once the wasmcc definition is
	// committed.
	ReasonContractRuntimeCommitted = "Committed"

	// ReasonApprovalPending surfaces while some members have not approved the wasmcc chaincode definition yet;
	// the message names them. It usually clears once their peers have joined.
	ReasonApprovalPending = "ApprovalPending"
)
