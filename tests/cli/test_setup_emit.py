"""`auroraml setup ... --emit cloudformation|terraform` (issue 18): the AWS half of setup's plan as
a template. It reads AWS and never writes; the template passes cfn-lint, the Terraform parses with
python-hcl2, the CloudFormation stack deploys on the sandbox's CloudFormation (moto) where moto
models the resource types; and the policy, trust and parameters it holds are exactly what `setup`
then creates on the sandbox."""

from __future__ import annotations

import json
import re
import warnings

import pytest

from support.aws_calls import aws_calls  # noqa: F401 - the fixture

ACCOUNT = "123456789012"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
# Each case: a service's setup options and the cluster: a default group (ml-demo: a new custom
# group) and a custom one already in use (bedrock-ready, whose engine lists FeatureName Bedrock).
CASES = {
    "s3": ("s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--prefix", "ml"),
    "comprehend": ("comprehend", "--cluster", "ml-demo"),
    "bedrock": ("bedrock", "--cluster", "bedrock-ready", "--model-id", HAIKU),
}


def emit(cli, fmt, case, *more, code=0):
    return cli("setup", *CASES[case], "--emit", fmt, *more, code=code)


def terraform(text: str) -> dict:
    """The HCL parsed by python-hcl2: {resource type: attributes} of its `auroraml` resources, and its imports."""
    import hcl2
    from hcl2.utils import SerializationOptions

    doc = hcl2.loads(text, serialization_options=SerializationOptions(
        strip_string_quotes=True, with_comments=False, explicit_blocks=False))
    resources = {kind: body["auroraml"] for block in doc["resource"] for kind, body in block.items()}
    imports = [(i["to"], i["id"]) for i in doc.get("import", [])]
    return {"resources": resources, "imports": imports}


def heredoc_json(value: str):
    """A `<<-EOT` heredoc holding JSON, as the document; `$${` is HCL's literal `${`."""
    body = re.fullmatch(r"<<-EOT\n(.*)\n\s*EOT", value, re.S)
    assert body, value
    return json.loads(body.group(1).replace("$${", "${").replace("%%{", "%{"))


def lint_errors(template: str) -> list[str]:
    from cfnlint.api import ManualArgs, lint

    return [f"{m.rule.id} {m.message}" for m in lint(template, config=ManualArgs(regions=["us-east-1"]))
            if m.rule.id.startswith("E")]


# --- what setup creates, read back from the sandbox -------------------------------------------------

def created_policy(boto, name):
    iam, arn = boto("iam"), f"arn:aws:iam::{ACCOUNT}:policy/{name}"
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    doc = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    return json.loads(doc) if isinstance(doc, str) else doc


def created_role(boto, name):
    role = boto("iam").get_role(RoleName=name)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    return {"trust": json.loads(trust) if isinstance(trust, str) else trust,
            "boundary": role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn"),
            "tags": {t["Key"]: t["Value"] for t in role.get("Tags", [])}}


def created_parameters(boto, group, names):
    pages = boto("rds").get_paginator("describe_db_cluster_parameters").paginate(DBClusterParameterGroupName=group)
    return {p["ParameterName"]: p.get("ParameterValue") for page in pages for p in page["Parameters"]
            if p["ParameterName"] in names}


def cluster(boto, name):
    return boto("rds").describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]


# --- reads only ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["cloudformation", "terraform"])
def test_emit_reads_aws_and_never_writes(cli, sandbox_aws, aws_calls, fmt):  # noqa: F811
    r = emit(cli, fmt, "bedrock")
    assert r.stdout and r.calls and r.writes == []
    assert [op for op, _ in aws_calls if not op.split(".")[1].startswith(("Describe", "Get", "List"))] == []
    assert aws_calls.duplicate_reads() == {}


@pytest.mark.parametrize("flags", [("--reboot",), ("--yes",), ("--dry-run",), ("--global",), ("--reboot", "--yes")])
def test_emit_refuses_the_options_about_applying_before_any_call(cli, sandbox_aws, flags):
    r = emit(cli, "terraform", "comprehend", *flags, code=2)
    r.assert_refused()
    assert "--emit" in r.stderr


@pytest.mark.parametrize("fmt", ["cloudformation", "terraform"])
def test_emit_refuses_query_which_filters_json_it_does_not_print(cli, sandbox_aws, fmt):
    """--query filters auroraml's JSON document; --emit prints a template instead (even CloudFormation's
    JSON is not one): refused before any call, not silently dropped."""
    r = cli("--query", "Resources", "setup", *CASES["comprehend"], "--emit", fmt, code=2)
    r.assert_refused()
    assert "--query" in r.stderr and "--emit" in r.stderr


def test_emit_takes_only_the_two_formats(cli, sandbox_aws):
    r = cli("setup", *CASES["comprehend"], "--emit", "pulumi", code=2)
    assert r.stdout == "" and r.calls == [] and "pulumi" in r.stderr


def test_no_reboot_and_quiet_go_with_emit(cli, sandbox_aws):
    r = cli("-q", "setup", *CASES["comprehend"], "--no-reboot", "--emit", "cloudformation")
    json.loads(r.stdout)
    assert r.stderr == "" and r.writes == []


# --- CloudFormation ------------------------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(CASES))
def test_cloudformation_template_passes_cfn_lint(cli, sandbox_aws, case):
    r = emit(cli, "cloudformation", case)
    assert lint_errors(r.stdout) == []
    doc = json.loads(r.stdout)
    then = doc["Metadata"]["auroraml"]["ThenRun"]
    assert then[0]["Command"].startswith("auroraml --region us-east-1 setup ") and then[0]["Command"].endswith(
        " --reboot --yes")
    assert then[0]["Command"] in r.stderr  # on stderr too, where the operator reads it


def test_cloudformation_leaves_out_a_group_that_exists_and_the_follow_up_sets_it(cli, sandbox_aws):
    r = emit(cli, "cloudformation", "bedrock")
    doc = json.loads(r.stdout)
    assert sorted(doc["Resources"]) == ["AuroraMLPolicy", "AuroraMLRole"]
    assert "bedrock-ready-params" in r.stderr and "aws_default_bedrock_role" in doc["Metadata"]["auroraml"]["ThenRun"][0]["Does"]
    assert "FeatureName Bedrock" in doc["Metadata"]["auroraml"]["ThenRun"][0]["Does"]


@pytest.mark.filterwarnings("ignore:Tried to parse .* not supported by moto")
def test_cloudformation_stack_deploys_on_the_sandbox_and_setup_finishes_the_job(cli, boto):
    r = emit(cli, "cloudformation", "s3")
    template = json.loads(r.stdout)
    cfn = boto("cloudformation")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfn.create_stack(StackName="auroraml-ml-demo", TemplateBody=r.stdout, Capabilities=["CAPABILITY_NAMED_IAM"])
    assert cfn.describe_stacks(StackName="auroraml-ml-demo")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    made = {s["ResourceType"] for s in cfn.list_stack_resources(StackName="auroraml-ml-demo")["StackResourceSummaries"]}
    # What the README says the sandbox deploy covers: moto models the IAM types, not the RDS group.
    assert {"AWS::IAM::ManagedPolicy", "AWS::IAM::Role"} <= made
    assert "AWS::RDS::DBClusterParameterGroup" not in made
    assert any("AWS::RDS::DBClusterParameterGroup" in str(w.message) for w in caught)

    props = {k: v["Properties"] for k, v in template["Resources"].items()}
    name = props["AuroraMLPolicy"]["ManagedPolicyName"]
    assert created_policy(boto, name) == props["AuroraMLPolicy"]["PolicyDocument"]
    role = created_role(boto, props["AuroraMLRole"]["RoleName"])
    assert role["trust"] == props["AuroraMLRole"]["AssumeRolePolicyDocument"]
    assert role["boundary"] == props["AuroraMLRole"]["PermissionsBoundary"]
    attached = boto("iam").list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == [name]

    # The follow-up the template names: the stack's IAM is found as setup would make it.
    then = template["Metadata"]["auroraml"]["ThenRun"][0]["Command"].split()
    assert then[:3] == ["auroraml", "--region", "us-east-1"]
    done = cli("-o", "json", *then[3:])
    status = {s["action"]: s["status"] for s in done.json()["steps"]}
    assert status["create-policy"] == status["create-role"] == status["attach-policy"] == "unchanged"
    assert status["associate-role"] == "done"
    c = cluster(boto, "ml-demo")
    group = props["AuroraMLParameterGroup"]
    assert c["DBClusterParameterGroup"] == group["DBClusterParameterGroupName"]
    assert created_parameters(boto, group["DBClusterParameterGroupName"], group["Parameters"]) == group["Parameters"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_cloudformation_holds_exactly_what_setup_creates(cli, boto, case):
    template = json.loads(emit(cli, "cloudformation", case).stdout)
    props = {k: v["Properties"] for k, v in template["Resources"].items()}
    cli("setup", *CASES[case], "--reboot", "--yes")
    assert created_policy(boto, props["AuroraMLPolicy"]["ManagedPolicyName"]) == props["AuroraMLPolicy"]["PolicyDocument"]
    role = created_role(boto, props["AuroraMLRole"]["RoleName"])
    assert role["trust"] == props["AuroraMLRole"]["AssumeRolePolicyDocument"]
    assert role["boundary"] == props["AuroraMLRole"]["PermissionsBoundary"]
    assert role["tags"] == {t["Key"]: t["Value"] for t in props["AuroraMLRole"]["Tags"]}
    if "AuroraMLParameterGroup" in props:
        group = props["AuroraMLParameterGroup"]
        name = group["DBClusterParameterGroupName"]
        assert created_parameters(boto, name, group["Parameters"]) == group["Parameters"]
        found = boto("rds").describe_db_cluster_parameter_groups(DBClusterParameterGroupName=name)["DBClusterParameterGroups"][0]
        assert (found["DBParameterGroupFamily"], found["Description"]) == (group["Family"], group["Description"])


# --- Terraform -----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(CASES))
def test_terraform_holds_exactly_what_setup_creates(cli, boto, case):
    r = emit(cli, "terraform", case)
    tf = terraform(r.stdout)["resources"]
    assert set(tf) == {"aws_iam_policy", "aws_iam_role", "aws_iam_role_policy_attachment",
                       "aws_rds_cluster_role_association", "aws_rds_cluster_parameter_group"}
    setup = cli("-o", "json", "setup", *CASES[case], "--reboot", "--yes")
    assert setup.json()["changed"] is True

    policy, role_tf = tf["aws_iam_policy"], tf["aws_iam_role"]
    assert created_policy(boto, policy["name"]) == heredoc_json(policy["policy"])
    role = created_role(boto, role_tf["name"])
    assert role["trust"] == heredoc_json(role_tf["assume_role_policy"])
    assert role["boundary"] == role_tf["permissions_boundary"]
    assert role["tags"] == role_tf["tags"] == policy["tags"]

    group = tf["aws_rds_cluster_parameter_group"]
    params = group["parameter"] if isinstance(group["parameter"], list) else [group["parameter"]]
    assert {p["apply_method"] for p in params} == {"pending-reboot"}  # the sandbox's role parameters are static
    wanted = {p["name"]: p["value"] for p in params}
    assert created_parameters(boto, group["name"], wanted) == wanted
    c = cluster(boto, CASES[case][2])
    assert c["DBClusterParameterGroup"] == group["name"]
    found = boto("rds").describe_db_cluster_parameter_groups(DBClusterParameterGroupName=group["name"])["DBClusterParameterGroups"][0]
    assert found["DBParameterGroupFamily"] == group["family"]

    assoc = tf["aws_rds_cluster_role_association"]
    assert assoc["db_cluster_identifier"] == c["DBClusterIdentifier"]
    assert assoc["role_arn"] == "${aws_iam_role.auroraml.arn}"
    [associated] = [a for a in c["AssociatedRoles"] if a["RoleArn"].endswith(f"/{role_tf['name']}")]
    assert assoc.get("feature_name") == associated.get("FeatureName")
    attachment = tf["aws_iam_role_policy_attachment"]
    assert (attachment["role"], attachment["policy_arn"]) == ("${aws_iam_role.auroraml.name}", "${aws_iam_policy.auroraml.arn}")


def test_terraform_names_the_feature_where_the_engine_lists_one(cli, sandbox_aws):
    tf = terraform(emit(cli, "terraform", "bedrock").stdout)["resources"]
    assert tf["aws_rds_cluster_role_association"]["feature_name"] == "Bedrock"
    assert "feature_name" not in terraform(emit(cli, "terraform", "comprehend").stdout)["resources"][
        "aws_rds_cluster_role_association"]


def test_terraform_imports_what_exists_already(cli, sandbox_aws):
    fresh = terraform(emit(cli, "terraform", "comprehend").stdout)
    assert fresh["imports"] == []
    cli("setup", *CASES["comprehend"], "--reboot", "--yes")
    r = emit(cli, "terraform", "comprehend")
    role, policy = "auroraml-comprehend-ml-demo", f"arn:aws:iam::{ACCOUNT}:policy/auroraml-comprehend-ml-demo"
    assert terraform(r.stdout)["imports"] == [
        ("${aws_iam_policy.auroraml}", policy),
        ("${aws_iam_role.auroraml}", role),
        ("${aws_iam_role_policy_attachment.auroraml}", f"{role}/{policy}"),
        ("${aws_rds_cluster_role_association.auroraml}", f"ml-demo,arn:aws:iam::{ACCOUNT}:role/{role}"),
        ("${aws_rds_cluster_parameter_group.auroraml}", "auroraml-ml-demo"),
    ]
    assert "exists already" in r.stderr


def test_terraform_strings_keep_interpolation_literal():
    from auroraml_cli.core.emit.terraform import string

    assert string('a"b\\c${x}%{y}\n') == 'a\\"b\\\\c$${x}%%{y}\\n'


def test_the_option_offers_exactly_the_formats_core_emits():
    from auroraml_cli.commands.setup import Emit
    from auroraml_cli.core.emit import FORMATS

    assert tuple(e.value for e in Emit) == FORMATS
