"""What the sandbox's AWS knows: engine versions, cluster parameters, Bedrock models.

Plain data, no moto or boto3: the layer serves it and tests assert against it. The values follow
AWS's public documentation and API output (see the Aurora ML reference in the auroraml repository, docs/reference/); where AWS
does not document a value (the ApplyType of the ML role parameters, the default of
`aurora_ml_inference_timeout`) the choice is the one that makes a tool read the truth at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------- engine versions


@dataclass(frozen=True)
class EngineVersion:
    engine: str
    version: str
    family: str
    mysql_version: str  # what VERSION() reports; Aurora adds its own version on top
    features: tuple[str, ...] = ()  # SupportedFeatureNames: the AddRoleToDBCluster feature names
    default: bool = False

    @property
    def major(self) -> str:
        """`8.0` for both `8.0.mysql_aurora.3.06.0` and `8.0.36` (MajorEngineVersion)."""
        return ".".join(self.version.split(".")[:2])

    @property
    def aurora(self) -> bool:
        return self.engine.startswith("aurora")

    @property
    def aurora_version(self) -> str | None:
        """`3.06.0` for `8.0.mysql_aurora.3.06.0` (what `SELECT AURORA_VERSION()` returns)."""
        return self.version.split(".mysql_aurora.")[1] if self.aurora else None

    @property
    def description(self) -> str:
        if self.aurora:
            return f"Aurora MySQL {self.aurora_version} (compatible with MySQL {self.mysql_version})"
        return f"MySQL {self.version}"


def _aurora(version: str, mysql: str, features: tuple[str, ...] = (), default: bool = False):
    family = "aurora-mysql5.7" if version.startswith("5.7.") else "aurora-mysql8.0"
    return EngineVersion("aurora-mysql", version, family, mysql, features, default)


ENGINE_VERSIONS: tuple[EngineVersion, ...] = (
    _aurora("5.7.mysql_aurora.2.07.2", "5.7.12"),
    _aurora("5.7.mysql_aurora.2.07.10", "5.7.12"),
    _aurora("5.7.mysql_aurora.2.11.2", "5.7.12"),
    _aurora("5.7.mysql_aurora.2.12.1", "5.7.40"),
    _aurora("8.0.mysql_aurora.3.01.0", "8.0.23"),
    _aurora("8.0.mysql_aurora.3.04.0", "8.0.28"),
    _aurora("8.0.mysql_aurora.3.05.2", "8.0.32"),
    _aurora("8.0.mysql_aurora.3.06.0", "8.0.34"),
    _aurora("8.0.mysql_aurora.3.08.0", "8.0.39", default=True),
    # Only the newest 3.x lists a feature name: Aurora MySQL associations normally carry none.
    _aurora("8.0.mysql_aurora.3.10.1", "8.0.42", features=("Bedrock",)),
    # A non-Aurora engine, so the tool's "this is not Aurora" path has something to find.
    EngineVersion("mysql", "8.0.36", "mysql8.0", "8.0.36", default=True),
)

ENGINE_DESCRIPTIONS = {"aurora-mysql": "Aurora MySQL", "mysql": "MySQL Community Edition"}


def find_engine_version(engine: str, version: str) -> EngineVersion | None:
    return next(
        (v for v in ENGINE_VERSIONS if v.engine == engine and v.version == version), None
    )


def default_engine_version(engine: str) -> EngineVersion | None:
    return next((v for v in ENGINE_VERSIONS if v.engine == engine and v.default), None)


def catalogued_engines() -> set[str]:
    return {v.engine for v in ENGINE_VERSIONS}


def families() -> list[str]:
    return sorted({v.family for v in ENGINE_VERSIONS})


def family_engine(family: str) -> str:
    return next(v.engine for v in ENGINE_VERSIONS if v.family == family)


# --------------------------------------------------------------------------- cluster parameters


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    apply_type: str = "dynamic"  # "static" parameters need a reboot to take effect
    data_type: str = "string"
    allowed: str | None = None
    default: str | None = None  # None: AWS shows no ParameterValue until someone sets one
    modifiable: bool = True


def _role(name: str, service: str) -> Parameter:
    # AWS does not document whether these are static. The sandbox says static, the stricter
    # case: a tool that assumes dynamic (ApplyMethod=immediate) is refused, one that reads
    # ApplyType works either way.
    return Parameter(name, f"IAM role ARN used to access {service}.", apply_type="static")


def _flag(name: str, description: str, default: str = "0") -> Parameter:
    return Parameter(name, description, "dynamic", "boolean", "0,1", default)


_CHARSETS = "ascii,big5,binary,cp1250,cp1251,gbk,latin1,latin2,sjis,ujis,utf16,utf32,utf8,utf8mb3,utf8mb4"
_COLLATIONS = (
    "latin1_swedish_ci,utf8_general_ci,utf8mb4_0900_ai_ci,utf8mb4_bin,utf8mb4_general_ci,utf8mb4_unicode_ci"
)

_ML_ROLES = (
    _role("aws_default_comprehend_role", "Amazon Comprehend"),
    _role("aws_default_sagemaker_role", "Amazon SageMaker"),
    _role("aws_default_s3_role", "Amazon S3"),
    _role("aws_default_lambda_role", "AWS Lambda"),
)

_V2_ONLY = (
    _role("aurora_load_from_s3_role", "Amazon S3 for LOAD DATA FROM S3"),
    _role("aurora_select_into_s3_role", "Amazon S3 for SELECT INTO OUTFILE S3"),
)

_V3_ONLY = (
    _role("aws_default_bedrock_role", "Amazon Bedrock"),
    Parameter(
        "aurora_ml_inference_timeout",
        "Timeout in milliseconds for a machine learning inference call.",
        data_type="integer",
        allowed="1-2147483647",
    ),
)

_MYSQL8 = (
    _flag("activate_all_roles_on_login", "Set all granted roles active when a user logs in."),
)

_LOG_EVENTS = "CONNECT,QUERY,QUERY_DCL,QUERY_DDL,QUERY_DML,TABLE"
_TIME_ZONES = "UTC,US/Eastern,US/Pacific,Europe/London,Asia/Seoul,Asia/Tokyo"

# Enough ordinary parameters that a family has more than one page (AWS's smallest MaxRecords
# is 20), so a tool that ignores Marker misses parameters here as it would on AWS.
_COMMON = (
    Parameter("auto_increment_increment", "Step between AUTO_INCREMENT values.", data_type="integer",
              allowed="1-65535"),
    Parameter("auto_increment_offset", "Starting point of AUTO_INCREMENT values.", data_type="integer",
              allowed="1-65535"),
    Parameter("binlog_checksum", "Write a checksum for each binary log event.", allowed="NONE,CRC32"),
    Parameter("binlog_format", "Binary logging format for replication.", apply_type="static",
              allowed="ROW,STATEMENT,MIXED,OFF", default="OFF"),
    Parameter("binlog_row_image", "Whether rows are logged in full or minimal form.",
              allowed="full,minimal,noblob"),
    Parameter("character_set_client", "Character set of statements from the client.", allowed=_CHARSETS),
    Parameter("character_set_connection", "Character set of literals without an introducer.",
              allowed=_CHARSETS),
    Parameter("character_set_database", "Character set of the default database.", allowed=_CHARSETS),
    Parameter("character_set_filesystem", "The file system character set.", allowed=_CHARSETS,
              default="binary"),
    Parameter("character_set_results", "Character set of query results.", allowed=_CHARSETS),
    Parameter("character_set_server", "The server's default character set.", allowed=_CHARSETS),
    Parameter("collation_connection", "Collation of the connection character set.", allowed=_COLLATIONS),
    Parameter("collation_server", "The server's default collation.", allowed=_COLLATIONS),
    Parameter("completion_type", "The transaction completion type.", data_type="integer", allowed="0-2"),
    Parameter("core_file", "Write a core file if mysqld dies.", apply_type="static", data_type="boolean",
              allowed="0,1", modifiable=False),
    _flag("innodb_file_per_table", "Use a tablespace file per InnoDB table.", default="1"),
    Parameter("lower_case_table_names", "How table names are stored and compared.", apply_type="static",
              data_type="integer", allowed="0,1"),
    _flag("log_bin_trust_function_creators", "Let non-SUPER users create functions while binary logging."),
    _flag("require_secure_transport", "Only allow connections encrypted with TLS."),
    Parameter("server_audit_events", "Events to record in the audit log.", data_type="list",
              allowed=_LOG_EVENTS),
    _flag("server_audit_logging", "Enable the advanced audit log."),
    Parameter("time_zone", "The server time zone.", allowed=_TIME_ZONES),
    Parameter("tls_version", "TLS protocol versions the server permits.", apply_type="static",
              data_type="list", allowed="TLSv1.2,TLSv1.3"),
)

PARAMETERS: dict[str, tuple[Parameter, ...]] = {
    "aurora-mysql5.7": _ML_ROLES + _V2_ONLY + _COMMON,
    "aurora-mysql8.0": _ML_ROLES + _V3_ONLY + _MYSQL8 + _COMMON,
    "mysql8.0": _MYSQL8 + _COMMON,
}


def parameters(family: str) -> tuple[Parameter, ...]:
    """The family's parameters in AWS's order (by name); () for a family the sandbox lacks."""
    return tuple(sorted(PARAMETERS.get(family, ()), key=lambda p: p.name))


def find_parameter(family: str, name: str) -> Parameter | None:
    return next((p for p in PARAMETERS.get(family, ()) if p.name == name), None)


def accepts(parameter: Parameter, value: str) -> bool:
    """Whether AWS would take `value` for `parameter`: enums and integer ranges are checked."""
    allowed = parameter.allowed
    if not allowed:
        return True
    if parameter.data_type == "integer" and "-" in allowed:
        low, high = allowed.split("-")
        return value.isdigit() and int(low) <= int(value) <= int(high)
    choices = allowed.split(",")
    if parameter.data_type == "list":
        return all(item in choices for item in value.split(","))
    return value in choices


# --------------------------------------------------------------------------- Bedrock


@dataclass(frozen=True)
class FoundationModel:
    model_id: str
    name: str
    provider: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    streaming: bool = True

    def arn(self, region: str) -> str:
        # Foundation-model ARNs carry no account: they are AWS's, not the caller's.
        return f"arn:aws:bedrock:{region}::foundation-model/{self.model_id}"


_HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
_SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0"
_TITAN_EMBED = "amazon.titan-embed-text-v2:0"
_TEXT, _IMAGE, _EMBEDDING = "TEXT", "IMAGE", "EMBEDDING"

FOUNDATION_MODELS: tuple[FoundationModel, ...] = (
    FoundationModel(_HAIKU, "Claude 3 Haiku", "Anthropic", (_TEXT, _IMAGE), (_TEXT,)),
    FoundationModel(_SONNET, "Claude 3.5 Sonnet", "Anthropic", (_TEXT, _IMAGE), (_TEXT,)),
    FoundationModel("amazon.titan-text-express-v1", "Titan Text G1 - Express", "Amazon", (_TEXT,), (_TEXT,)),
    FoundationModel(_TITAN_EMBED, "Titan Text Embeddings V2", "Amazon", (_TEXT,), (_EMBEDDING,), False),
    FoundationModel("cohere.embed-english-v3", "Embed English", "Cohere", (_TEXT,), (_EMBEDDING,), False),
)

# Regions not listed (ca-west-1, ...) offer no models, like a region without Bedrock.
MODEL_REGIONS: dict[str, tuple[str, ...]] = {
    "us-east-1": tuple(m.model_id for m in FOUNDATION_MODELS),
    "us-west-2": tuple(m.model_id for m in FOUNDATION_MODELS),
    "us-east-2": (_HAIKU, _SONNET),
    "eu-west-1": (_HAIKU, _TITAN_EMBED),
}


def models_in(region: str) -> list[FoundationModel]:
    offered = MODEL_REGIONS.get(region, ())
    return [m for m in FOUNDATION_MODELS if m.model_id in offered]


@dataclass(frozen=True)
class InferenceProfile:
    profile_id: str
    name: str
    model_id: str
    regions: tuple[str, ...]  # where requests may be routed; each needs the model's own ARN

    def arn(self, region: str, account_id: str) -> str:
        return f"arn:aws:bedrock:{region}:{account_id}:inference-profile/{self.profile_id}"


INFERENCE_PROFILES: tuple[InferenceProfile, ...] = (
    InferenceProfile(
        f"us.{_HAIKU}", "US Anthropic Claude 3 Haiku", _HAIKU, ("us-east-1", "us-east-2", "us-west-2")
    ),
)


def profiles_in(region: str) -> list[InferenceProfile]:
    """Cross-region profiles are callable from each region they route to."""
    return [p for p in INFERENCE_PROFILES if region in p.regions]
