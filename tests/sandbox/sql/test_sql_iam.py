"""IAM on every call the SQL endpoint makes for the cluster: a policy too narrow for a call fails
on the sandbox as on Aurora (ERROR 1871), one wide enough passes. Roles carry the project's own
documents (core/policies.py), as `auroraml setup` writes them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sandbox_support import ACCOUNT, V3_BEDROCK, after_delay, deploy
from sql_support import ENGINES, engine_fixture

from auroraml_cli.core import policies
from auroraml_cli.core.catalogue import SERVICES
from auroraml_cli.sandbox.sql import role_access

# The Aurora layer (ML calls, batching, counters, export, roles) on both SQL engines.
sql_engine = pytest.fixture(params=ENGINES)(engine_fixture)

REGION = "us-east-1"
EXPRESS = "amazon.titan-text-express-v1"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
EMBED = "amazon.titan-embed-text-v2:0"
BUCKET = "iam-exports"
CLUSTER_ARN = f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:iam"
ASK = "'{\"inputText\": \"hi\"}'"
HAIKU_BODY = "'{\"anthropic_version\": \"bedrock-2023-05-31\", \"max_tokens\": 5, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}'"


def model_arn(model, region=REGION):
    return f"arn:aws:bedrock:{region}::foundation-model/{model}"


def denied(service, role, action, resource, why=None):
    why = why or f"because no identity-based policy allows the {action} action"
    code = "AccessDenied: Access Denied" if service == "S3" else "AccessDeniedException"
    return (1871, f"{service} API returned error: {code}: User: arn:aws:sts::{ACCOUNT}:assumed-role/{role}/iam is not "
                  f"authorized to perform: {action} on resource: {resource} {why}")


def missing(service):
    return (1871, f"{service} API returned error: Missing Credentials: Cannot instantiate {service} Client")


def policy(service, **scope):
    return policies.permission_policy(SERVICES[service], partition="aws", account=ACCOUNT, region=REGION, **scope)


def statements(*items):
    return {"Version": "2012-10-17", "Statement": list(items)}


@pytest.fixture
def cluster(endpoint_for, client_for, make_group, rds, iam, client):
    """Cluster `iam` on its own group; `wire(service, document, trust=...)` gives the service a role
    holding that document, associated and named in the group, and reboots the writer."""
    group = make_group("iam-params")
    endpoint = endpoint_for("iam", V3_BEDROCK, DBClusterParameterGroupName=group)
    deploy(client, "rcf-taxi")
    deploy(client, "other-model")
    client("s3").create_bucket(Bucket=BUCKET)
    sql = client_for(endpoint)
    sql.run("CREATE DATABASE IF NOT EXISTS d")
    sql.run("USE d")

    def wire(service, document, trust=None, associate=True):
        name = f"iam-{service}"
        trust = trust or policies.trust_policy("aws", ACCOUNT, REGION)
        try:
            iam.get_role(RoleName=name)
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
        except iam.exceptions.NoSuchEntityException:
            arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
            if associate:
                rds.add_role_to_db_cluster(DBClusterIdentifier="iam", RoleArn=arn)
            rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=[
                {"ParameterName": f"aws_default_{service}_role", "ParameterValue": arn, "ApplyMethod": "pending-reboot"}])
            rds.reboot_db_instance(DBInstanceIdentifier="iam-1")
            after_delay()
        iam.put_role_policy(RoleName=name, PolicyName="ml", PolicyDocument=json.dumps(document))
        return name

    sql.wire = wire
    return sql


def test_a_function_for_a_model_the_policy_does_not_name_fails(cluster):
    # `setup bedrock --model-id EXPRESS`, then a function aliasing HAIKU: Aurora refuses the call.
    role = cluster.wire("bedrock", policy("bedrock", model_arns=[model_arn(EXPRESS)]))
    cluster.run(f"CREATE FUNCTION a (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID '{EXPRESS}'")
    cluster.run(f"CREATE FUNCTION b (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID '{HAIKU}'")
    assert "hi" in cluster.value(f"SELECT a({ASK})")
    assert cluster.error(f"SELECT b({HAIKU_BODY})") == denied("Bedrock", role, "bedrock:InvokeModel", model_arn(HAIKU))
    # Too wide passes: every foundation model of the region.
    cluster.wire("bedrock", policy("bedrock", model_arns=[model_arn("*")]))
    assert "hi" in cluster.value(f"SELECT b({HAIKU_BODY})")


def test_an_inference_profile_needs_its_arn_and_the_model_in_every_routed_region(cluster):
    profile = f"us.{HAIKU}"
    profile_arn = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/{profile}"
    role = cluster.wire("bedrock", policy("bedrock", model_arns=[profile_arn, model_arn(HAIKU)]))
    cluster.run(f"CREATE FUNCTION p (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID '{profile}'")
    assert cluster.error(f"SELECT p({HAIKU_BODY})") == denied(
        "Bedrock", role, "bedrock:InvokeModel", model_arn(HAIKU, "us-east-2"))
    routed = [model_arn(HAIKU, r) for r in ("us-east-1", "us-east-2", "us-west-2")]
    cluster.wire("bedrock", policy("bedrock", model_arns=[profile_arn, *routed]))
    assert "hi" in cluster.value(f"SELECT p({HAIKU_BODY})")


def test_sagemaker_and_comprehend_need_their_actions(cluster):
    role = cluster.wire("sagemaker", policy("sagemaker", endpoints=["RCF-Taxi"]))  # ARNs carry the name in lower case
    cluster.run("CREATE FUNCTION score (v REAL) RETURNS REAL ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'rcf-taxi'")
    cluster.run("CREATE FUNCTION other (v REAL) RETURNS REAL ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'other-model'")
    assert cluster.value("SELECT score(1.0)") is not None
    assert cluster.error("SELECT other(1.0)") == denied(
        "SageMaker", role, "sagemaker:InvokeEndpoint", f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/other-model")
    # DetectSentiment alone is not enough for the rows Aurora sends in batches.
    role = cluster.wire("comprehend", statements({"Effect": "Allow", "Action": "comprehend:DetectSentiment", "Resource": "*"}))
    cluster.run("CREATE TABLE notes (n TEXT)")
    cluster.run("INSERT INTO notes VALUES ('great'), ('awful')")
    assert cluster.error("SELECT aws_comprehend_detect_sentiment(n, 'en') FROM notes") == denied(
        "Comprehend", role, "comprehend:BatchDetectSentiment", "*")
    cluster.wire("comprehend", policy("comprehend"))
    assert len(cluster.rows("SELECT aws_comprehend_detect_sentiment(n, 'en') FROM notes")) == 2


def test_an_unassociated_role_is_missing_credentials(cluster):
    cluster.wire("comprehend", policy("comprehend"), associate=False)
    assert cluster.error("SELECT aws_comprehend_detect_sentiment('great', 'en')") == missing("Comprehend")


def test_a_trust_for_another_cluster_or_account_is_missing_credentials(cluster):
    cluster.wire("comprehend", policy("comprehend"))
    call = "SELECT aws_comprehend_detect_sentiment('great', 'en')"
    assert cluster.value(call) == "POSITIVE"  # the project's trust: this account's RDS ARNs in the region
    base = policies.trust_policy("aws", ACCOUNT, REGION)
    for condition in ({"ArnEquals": {"aws:SourceArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:another"}},
                      {"StringEquals": {"aws:SourceAccount": "999999999999"}},
                      {"ArnLike": {"aws:SourceArn": f"arn:aws:rds:eu-west-1:{ACCOUNT}:*"}}):
        trust = {**base, "Statement": [{**base["Statement"][0], "Condition": condition}]}
        cluster.wire("comprehend", policy("comprehend"), trust=trust)
        assert cluster.error(call) == missing("Comprehend"), condition
    exact = {**base, "Statement": [{**base["Statement"][0], "Condition": {"ArnEquals": {"aws:SourceArn": CLUSTER_ARN}}}]}
    cluster.wire("comprehend", policy("comprehend"), trust=exact)
    assert cluster.value(call) == "POSITIVE"
    deny = {**base, "Statement": [*base["Statement"], {"Effect": "Deny", "Principal": {"Service": "rds.amazonaws.com"},
                                                       "Action": "sts:AssumeRole"}]}
    cluster.wire("comprehend", policy("comprehend"), trust=deny)
    assert cluster.error(call) == missing("Comprehend")


def test_s3_outside_the_prefix_is_denied_inside_works(cluster, client):
    # `setup s3 --bucket B --prefix ml`: objects under ml/ only, listing under ml/ only.
    role = cluster.wire("s3", policy("s3", bucket=BUCKET, prefix="ml"))
    cluster.run("CREATE TABLE t (i INT)")
    cluster.run("INSERT INTO t VALUES (1), (2)")
    assert cluster.run(f"SELECT * FROM t INTO OUTFILE S3 's3://{BUCKET}/ml/x' FORMAT CSV") == 2
    for outside in ("other/x", "ml-backups/x", "mlx"):
        assert cluster.error(f"SELECT * FROM t INTO OUTFILE S3 's3://{BUCKET}/{outside}'") == denied(
            "S3", role, "s3:ListBucket", f"arn:aws:s3:::{BUCKET}"), outside
    s3 = client("s3")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == ["ml/x.part_00000"]
    # Listing allowed everywhere, objects still only under ml/: PutObject is the refusal.
    wide_list = policy("s3", bucket=BUCKET, prefix="ml")
    del wide_list["Statement"][0]["Condition"]
    cluster.wire("s3", wide_list)
    assert cluster.error(f"SELECT * FROM t INTO OUTFILE S3 's3://{BUCKET}/other/x'") == denied(
        "S3", role, "s3:PutObject", f"arn:aws:s3:::{BUCKET}/other/x.part_00000")
    s3.put_object(Bucket=BUCKET, Key="other/y", Body=b"3\n")
    assert cluster.error(f"LOAD DATA FROM S3 's3://{BUCKET}/other/y' INTO TABLE t") == denied(
        "S3", role, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/other/y")
    assert cluster.run(f"LOAD DATA FROM S3 PREFIX 's3://{BUCKET}/ml/x' INTO TABLE t") == 2


def test_a_kms_key_the_role_may_not_use_is_denied(cluster, client):
    kms = client("kms", REGION)
    allowed = kms.create_key()["KeyMetadata"]["Arn"]
    other = kms.create_key()["KeyMetadata"]["Arn"]
    role = cluster.wire("s3", policy("s3", bucket=BUCKET, prefix="ml", kms_key=allowed))
    cluster.run("CREATE TABLE t (i INT)")
    cluster.run("INSERT INTO t VALUES (1)")
    assert cluster.run(f"SELECT * FROM t INTO OUTFILE S3 's3://{BUCKET}/ml/a' ENCRYPTION SSE_KMS '{allowed}'") == 1
    assert cluster.error(f"SELECT * FROM t INTO OUTFILE S3 's3://{BUCKET}/ml/b' ENCRYPTION SSE_KMS '{other}'") == denied(
        "S3", role, "kms:GenerateDataKey", other)
    # SSE_KMS without a key is S3's AWS managed key: no grant in the role needed.
    assert cluster.run(f"SELECT * FROM t INTO OUTFILE S3 's3://{BUCKET}/ml/c' ENCRYPTION SSE_KMS") == 1
    client("s3").put_object(Bucket=BUCKET, Key="ml/d", Body=b"4\n", ServerSideEncryption="aws:kms", SSEKMSKeyId=other)
    assert cluster.error(f"LOAD DATA FROM S3 's3://{BUCKET}/ml/d' INTO TABLE t") == denied(
        "S3", role, "kms:Decrypt", other)
    assert cluster.run(f"LOAD DATA FROM S3 's3://{BUCKET}/ml/a.part_00000' INTO TABLE t") == 1
    assert cluster.error(f"SELECT * FROM t INTO OUTFILE S3 's3://{BUCKET}/ml/e' ENCRYPTION SSE_KMS 'alias/none'") == (
        1871, "S3 API returned error: KMS.NotFoundException: Invalid keyId alias/none")


def test_explicit_deny_wildcards_and_not_resource_on_the_sandbox(cluster, iam):
    cluster.run(f"CREATE FUNCTION a (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID '{EXPRESS}'")
    cluster.run(f"CREATE FUNCTION b (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID '{HAIKU}'")
    allow = {"Effect": "Allow", "Action": "bedrock:Invoke*", "Resource": model_arn("*")}
    # `?` is one character, `.` only a dot: ...titan-text-?xpress-v1 names express, not haiku.
    role = cluster.wire("bedrock", statements({**allow, "Resource": model_arn("amazon.titan-text-?xpress-v1")}))
    assert "hi" in cluster.value(f"SELECT a({ASK})")
    assert cluster.error(f"SELECT b({HAIKU_BODY})")[1].endswith("because no identity-based policy allows the "
                                                                 "bedrock:InvokeModel action")
    cluster.wire("bedrock", statements({**allow, "Resource": model_arn("amazon?titan-text-express-v1")}))
    assert "hi" in cluster.value(f"SELECT a({ASK})")
    cluster.wire("bedrock", statements({**allow, "Resource": model_arn("amazon.titan.text-express-v1")}))
    assert cluster.error(f"SELECT a({ASK})")[0] == 1871  # `.` is not a wildcard
    # An explicit Deny wins over the Allow; NotResource denies all but express.
    deny = {"Effect": "Deny", "Action": "bedrock:*", "NotResource": model_arn(EXPRESS)}
    cluster.wire("bedrock", statements(allow, deny))
    assert "hi" in cluster.value(f"SELECT a({ASK})")
    assert cluster.error(f"SELECT b({HAIKU_BODY})") == denied(
        "Bedrock", role, "bedrock:InvokeModel", model_arn(HAIKU), "with an explicit deny in an identity-based policy")
    # NotAction: allowed everything but InvokeModel is not InvokeModel.
    cluster.wire("bedrock", statements({"Effect": "Allow", "NotAction": "bedrock:InvokeModel", "Resource": "*"}))
    assert cluster.error(f"SELECT a({ASK})")[0] == 1871
    # The permissions boundary caps the role.
    boundary = iam.create_policy(PolicyName="cap", PolicyDocument=json.dumps(statements(
        {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": model_arn(EXPRESS)})))["Policy"]["Arn"]
    cluster.wire("bedrock", statements(allow))
    iam.put_role_permissions_boundary(RoleName=role, PermissionsBoundary=boundary)
    assert "hi" in cluster.value(f"SELECT a({ASK})")
    assert cluster.error(f"SELECT b({HAIKU_BODY})") == denied(
        "Bedrock", role, "bedrock:InvokeModel", model_arn(HAIKU), "because no permissions boundary allows the "
                                                                   "bedrock:InvokeModel action")


def test_a_managed_policys_default_version_is_what_counts(cluster, iam):
    role = cluster.wire("bedrock", statements({"Effect": "Allow", "Action": "bedrock:ListFoundationModels", "Resource": "*"}))
    arn = iam.create_policy(PolicyName="models", PolicyDocument=json.dumps(policy(
        "bedrock", model_arns=[model_arn(HAIKU)])))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    cluster.run(f"CREATE FUNCTION a (p TEXT) RETURNS TEXT ALIAS AWS_BEDROCK_INVOKE_MODEL MODEL ID '{EXPRESS}'")
    assert cluster.error(f"SELECT a({ASK})")[0] == 1871
    iam.create_policy_version(PolicyArn=arn, SetAsDefault=True, PolicyDocument=json.dumps(policy(
        "bedrock", model_arns=[model_arn(EXPRESS)])))
    assert "hi" in cluster.value(f"SELECT a({ASK})")


def test_an_unknown_condition_operator_is_refused(cluster):
    odd = {"Effect": "Allow", "Action": "comprehend:*", "Resource": "*",
           "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}
    cluster.wire("comprehend", statements(odd))
    code, message = cluster.error("SELECT aws_comprehend_detect_sentiment('great', 'en')")
    assert code == 1235 and "NumericLessThan" in message and "iam-comprehend" in message


# --- the README's list is the code's list, and each line names a test that exists -------------

def rendered() -> str:
    lines = ["Checked on every call (trust, and the model or endpoint of each function, by `auroraml check` too):", ""]
    lines += [f"- {text}" for text, _ in role_access.CHECKED]
    lines += ["", "Not modelled:", ""]
    lines += [f"- {text}" for text, _ in role_access.NOT_MODELLED]
    return "\n".join(lines)


def test_readme_lists_what_the_sandbox_checks():
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    assert rendered() in readme, "README's 'What the sandbox checks' must be:\n" + rendered()
    here = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    for _, test in role_access.CHECKED + role_access.NOT_MODELLED:
        if test is not None:
            assert re.search(rf"^def {test}\(", here, re.M), test
