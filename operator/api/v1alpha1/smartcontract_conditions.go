package v1alpha1

// SmartContract condition types, besides ConditionReady.
const (
	// SmartContractSourceAvailable is True when the module was fetched from spec.source and matches its digest.
	SmartContractSourceAvailable = "SourceAvailable"

	// SmartContractModuleValid is True when the module passed the runtime's deploy-time gate, the same check the
	// peers run.
	SmartContractModuleValid = "ModuleValid"

	// SmartContractDeployed is True when spec.version is committed on the consortium's ledger.
	SmartContractDeployed = "Deployed"
)

// SmartContract condition reasons.
const (
	// ReasonSourceFetched surfaces on SourceAvailable=True once the module is fetched and its digest checked.
	ReasonSourceFetched = "SourceFetched"

	// ReasonSourceNotFound surfaces when the ConfigMap or its key, the URL (HTTP 404) or the OCI artifact does not
	// exist. Create it or fix spec.source; the operator retries when a ConfigMap appears.
	ReasonSourceNotFound = "SourceNotFound"

	// ReasonFetchFailed surfaces when a download or pull failed for another reason (network, TLS, credentials);
	// the message has the error and the operator retries with back-off.
	ReasonFetchFailed = "FetchFailed"

	// ReasonDecompressFailed surfaces when source.configMap.compression is Gzip but the bytes are not valid gzip,
	// or decompress past the module size limit. Re-create the ConfigMap with `gzip -9`, or set compression: None.
	ReasonDecompressFailed = "DecompressFailed"

	// ReasonDigestMismatch surfaces when the fetched module's SHA-256 differs from the one in spec.source. The
	// message has both digests; publish the right module or fix the digest.
	ReasonDigestMismatch = "DigestMismatch"

	// ReasonModuleValidated surfaces on ModuleValid=True once the gate accepted the module.
	ReasonModuleValidated = "ModuleValidated"

	// ReasonModuleInvalid surfaces when the gate refused the module: too large, a disallowed import, a missing
	// export or ABI marker, or more initial memory than the limits allow. The message names the cause; rebuild
	// the contract.
	ReasonModuleInvalid = "ModuleInvalid"

	// ReasonConsortiumNotReady surfaces while the referenced Consortium exists but is not Ready (its contract
	// runtime is not committed yet). It clears by itself.
	ReasonConsortiumNotReady = "ConsortiumNotReady"

	// ReasonContractNameConflict surfaces when another SmartContract on the same consortium already uses
	// spec.contractName. Contract names must be unique within a consortium; rename this one.
	ReasonContractNameConflict = "ContractNameConflict"

	// ReasonEndorsementFailed surfaces when the deploy transaction did not gather the endorsements the
	// consortium's contract governance policy needs, for example a member's peers are down. The operator retries.
	ReasonEndorsementFailed = "EndorsementFailed"

	// ReasonDeployFailed surfaces when the deploy transaction was endorsed but failed to commit (for example an
	// MVCC conflict or a version that is already on the ledger with other code). The message has the validation
	// code.
	ReasonDeployFailed = "DeployFailed"

	// ReasonDeployedVersion surfaces on Deployed=True once spec.version is committed.
	ReasonDeployedVersion = "VersionDeployed"
)
