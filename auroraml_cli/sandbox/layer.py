"""The sandbox layer: the Aurora behaviour moto 5.2 lacks, patched into moto's own classes.

`install()` patches moto's backend and response classes once per process, so the behaviour is
the same under `moto.mock_aws()` and in a moto server started by the same process. The layer's
per-resource state lives on moto's objects (clusters, instances, parameter groups, a service's
backend of one account and region), so moto's reset (`POST /moto-api/reset`, or a new
`mock_aws()`) clears it too. Time is read on each describe; nothing runs in the background.

Each row: a gap measured in docs/reference/moto-gaps.md (those it does not list were measured
against moto 5.2.5 when the row was added), what the layer does [where].

| gap in moto                              | what the layer does                                   |
|------------------------------------------|-------------------------------------------------------|
| DescribeDBEngineVersions missing         | serves catalog.ENGINE_VERSIONS: family,               |
|                                          | SupportedFeatureNames, filters, Marker [rds_clusters] |
| any engine version accepted              | unknown version → InvalidParameterCombination         |
|                                          | "Cannot find version V for E" [rds_clusters]          |
| CreateDBCluster on an existing id        | DBClusterAlreadyExistsFault [rds_clusters]            |
|   silently replaces it                   |                                                       |
| cluster says default.aurora8.0, which    | default.<family> groups exist in every region and     |
|   does not exist                         | clusters get their family's [rds_groups, rds_clusters]|
| default groups can be changed            | modify/reset/delete of default.* refused as on AWS    |
|                                          | [rds_groups, rds_parameters]                          |
| missing or wrong-family group accepted   | DBParameterGroupNotFound / InvalidParameterCombination|
|   by Create/ModifyDBCluster              | [rds_clusters]                                        |
| DescribeDBClusterParameters: only values | the family's full list with Source, ApplyType,        |
|   set, no metadata, filters ignored      | DataType, AllowedValues, IsModifiable; Source=,       |
|                                          | parameter-name filter, MaxRecords/Marker              |
|                                          | [rds_parameters]                                      |
| any parameter name or value accepted     | "Could not find parameter with name: N", value        |
|                                          | checks, static+immediate and > 20 items refused       |
|                                          | [rds_parameters]                                      |
| ResetDBClusterParameterGroup ignores     | back to engine defaults, all or the named ones        |
|   the engine defaults                    | [rds_parameters]                                      |
| members in-sync forever                  | a static change or a group switch → pending-reboot on |
|                                          | every member of every cluster using the group         |
|                                          | [rds_instances, rds_parameters, rds_clusters]         |
| RebootDBInstance changes nothing         | rebooting for reboot_duration, then available and     |
|                                          | in-sync; optional stale first read; InvalidDBInstance-|
|                                          | State when already rebooting [rds_instances]          |
| no per-instance parameter values         | values as of the last reboot: effective_parameters()  |
|                                          | [rds_instances]                                       |
| AddRoleToDBCluster: one role without     | keyed by ARN, at most 5, FeatureName checked against  |
|   FeatureName, ACTIVE at once, role      | the version, PENDING → ACTIVE or INVALID (role exists |
|   never checked                          | and trusts rds.amazonaws.com), IAM propagation delay  |
|                                          | [rds_roles]                                           |
| RemoveRoleFromDBCluster missing          | implemented; DBClusterRoleNotFound [rds_roles]        |
| ModifyDBCluster, PromoteReadReplicaDB-   | DBClusterNotFoundFault [rds_clusters]                 |
|   Cluster on a missing cluster: 500      |                                                       |
| global primary IsWriter false; secondary | the primary writes; a secondary's instances are all   |
|   gets a writer instance                 | readers [rds_clusters]                                |
| IAM DeletePolicy while attached, or with | DeleteConflict [iam]                                  |
|   old versions, succeeds                 |                                                       |
| IAM not enforced (moto's switch: every   | a sandbox IAM user's access key is evaluated against  |
|   key, Resource "*" only, conditions     | its policies with core/checks/iam_eval on the ARNs    |
|   fail)                                  | and condition keys of the request; other keys are the |
|                                          | administrator [access]                                |
| Bedrock ListFoundationModels, GetFoun-   | per-region catalog.FOUNDATION_MODELS; cross-region    |
|   dationModel missing                    | inference profiles [bedrock]                          |
| endpoints are names nothing answers on   | a cluster with a sandbox SQL endpoint reports it as   |
|                                          | Endpoint/ReaderEndpoint/Port, its instances too       |
|                                          | [sql.rds_address]                                     |
| Comprehend DetectSentiment always        | a word-list sentiment, or configured answers          |
|   NEUTRAL; BatchDetectSentiment missing  | (ml_answers); BatchDetectSentiment up to 25 texts,    |
|                                          | BatchSizeLimitExceededException beyond [comprehend]   |
| SageMaker InvokeEndpoint answers "body"  | ValidationError unless the endpoint exists and is     |
|   and never checks the endpoint          | InService (or Updating) in that region; text/csv, one |
|                                          | answer line per row, configurable per endpoint        |
|                                          | [sagemaker_runtime]                                   |
| Bedrock InvokeModel answers {} for any   | ValidationException for a model the region lacks; the |
|   model id                               | family's response shape (Anthropic messages, Titan    |
|                                          | text/embeddings, Cohere embed) [bedrock_runtime]      |
| no throttling                            | knob ml_throttle: the next N runtime calls answer     |
|                                          | ThrottlingException [ml_answers]                      |
| no instance uptime                       | boot_time(): creation or the end of the last reboot   |
|                                          | (SQL Uptime, counters) [rds_instances]                |
| default VPC: no internet gateway, no     | a gateway, attached, and 0.0.0.0/0 → igw in the main  |
|   0.0.0.0/0 route                        | route table, in every region [default_vpc]            |
| DBSubnetGroup `default` (what a cluster  | the default VPC's subnets, made when first named or   |
|   without one names) does not exist      | listed; an ordinary group after [default_vpc]         |
| cluster without VpcSecurityGroupIds      | its VPC's `default` group, active; its id known       |
|   reports none                           | without building EC2 (seed speed) [default_vpc]       |
| Bedrock model access calls missing       | availability per account and region; Delete/Create-   |
|   (GetFoundationModelAvailability, ...)  | FoundationModelAgreement (offer token from ListFoun-  |
|                                          | dationModelAgreementOffers) take access away / give   |
|                                          | it back [bedrock]; InvokeModel then AccessDenied-     |
|                                          | Exception [bedrock_runtime]                           |
| SageMaker UpdateEndpoint missing         | Updating for endpoint_update_duration, then InService |
|                                          | on the new config; still answers InvokeEndpoint       |
|                                          | meanwhile, as on AWS [sagemaker_endpoints]            |
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, fields


@dataclass
class Settings:
    """Knobs for the simulated delays (seconds). Tests set them to a few hundredths."""

    association_delay: float = 1.0  # AddRoleToDBCluster: PENDING this long, then ACTIVE/INVALID
    reboot_duration: float = 2.0  # RebootDBInstance: `rebooting` this long
    iam_propagation_delay: float = 0.0  # a role this young is refused by AddRoleToDBCluster
    reboot_starts_late: bool = True  # the first describe after a reboot still says `available`
    ml_throttle: int = 0  # the next N Comprehend/SageMaker/Bedrock runtime calls answer ThrottlingException
    endpoint_update_duration: float = 2.0  # UpdateEndpoint: `Updating` this long, then InService


settings = Settings()

_install_lock = threading.Lock()
_clock_lock = threading.Lock()
_installed = False


def configure(**knobs: float | bool) -> Settings:
    """Set knobs by name; unknown names or wrong types raise ValueError and change nothing."""
    known = {f.name: f.type for f in fields(Settings)}
    for name, value in knobs.items():
        if name not in known:
            raise ValueError(f"unknown sandbox setting {name!r}; known: {', '.join(sorted(known))}")
        _check_type(name, value)
    for name, value in knobs.items():
        if name == "ml_throttle":
            value = int(value)
        elif name != "reboot_starts_late":
            value = float(value)
        setattr(settings, name, value)
    return settings


def _check_type(name: str, value: object) -> None:
    if name == "reboot_starts_late":
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false, not {value!r}")
    elif name == "ml_throttle":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number of calls >= 0, not {value!r}")
    # bool is an int subclass, but `association_delay=True` is surely a mistake.
    elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{name} must be a number of seconds >= 0, not {value!r}")


def advance(seconds: float) -> None:
    """Move the sandbox's clock on by `seconds`: the associations, reboots and endpoint updates
    under way end as if that much time had passed (nobody sleeps, so a test cannot outrun them)."""
    from . import _patch

    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ValueError(f"the clock only moves on, by a number of seconds >= 0, not {seconds!r}")
    with _clock_lock:
        _patch.advance(float(seconds))


def current_settings() -> dict[str, float | bool]:
    return asdict(settings)


def reset_state() -> None:
    """Default knobs and no resources: the layer's state lives on moto's objects, so this is
    moto's own reset (what `POST /moto-api/reset` does) plus the knobs."""
    from moto.moto_api._internal import moto_api_backend

    from . import ml_answers

    configure(**asdict(Settings()))
    ml_answers.reset()
    moto_api_backend.reset()


def install() -> None:
    """Patch moto once per process; later calls do nothing."""
    global _installed
    with _install_lock:
        if _installed:
            return
        from . import (
            bedrock,
            bedrock_runtime,
            comprehend,
            default_vpc,
            iam,
            lambda_invoke,
            rds_clusters,
            rds_groups,
            rds_instances,
            rds_parameters,
            rds_roles,
            sagemaker_endpoints,
            sagemaker_runtime,
        )
        from . import identity
        from .sql import rds_address

        for module in (rds_groups, rds_instances, rds_parameters, rds_clusters, rds_roles, iam, bedrock, rds_address,
                       comprehend, sagemaker_runtime, bedrock_runtime, default_vpc, sagemaker_endpoints, identity,
                       lambda_invoke):
            module.install()
        _installed = True


def effective_parameters(account_id: str, region: str, instance_id: str) -> dict[str, str]:
    """The cluster parameter values an instance runs with: those of its cluster's group as of
    the instance's last reboot (or creation), plus dynamic changes applied immediately since.
    This is what `SHOW GLOBAL VARIABLES` would report. Raises moto's DBInstanceNotFound."""
    from . import rds_instances

    install()
    return rds_instances.effective_parameters(account_id, region, instance_id)
