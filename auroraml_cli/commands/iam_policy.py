"""`auroraml iam-policy`: the IAM policy the operator running auroraml needs, to hand to an admin;
with --bootstrap, everything an administrator creates once (the permissions boundary too)."""

import json
from typing import List, Optional

import typer

from . import examples

EXAMPLE = """
Examples:

  auroraml iam-policy --bootstrap --account 123456789012      # what an administrator creates once

  auroraml iam-policy --boundary > boundary.json

  auroraml iam-policy --account 123456789012 > operator.json

  auroraml iam-policy --cluster ml-demo --command setup --command check

  auroraml iam-policy --cluster ml-demo --command status --iam-auth --db-user iamuser   # rds-db:connect

  auroraml iam-policy --command status --publish cloudwatch --namespace AuroraML   # cloudwatch:PutMetricData

  aws iam create-policy --policy-name AuroraMLOperator --policy-document file://operator.json
"""


@examples(EXAMPLE)
def iam_policy(
    ctx: typer.Context,
    commands: Optional[List[str]] = typer.Option(None, "--command", "-c", metavar="COMMAND", help="Only what this command needs (repeatable): setup, teardown, check, grant, revoke, ddl, export, explain, status. [default: all]"),
    account: Optional[str] = typer.Option(None, "--account", help="Account id for the ARNs. [default: the clusters' account with --cluster, else * (the boundary is then named through ${aws:PrincipalAccount})]"),
    partition: str = typer.Option("aws", "--partition", help="aws, aws-cn, aws-us-gov..."),
    clusters: Optional[List[str]] = typer.Option(None, "--cluster", metavar="ID", help="Allow changes to these clusters only (repeatable; id or ARN): reads each from RDS to name it, its instances and its parameter group. [default: every cluster]"),
    secret_arns: Optional[List[str]] = typer.Option(None, "--secret-arn", metavar="ARN", help="A Secrets Manager secret the operator may read besides the RDS-managed master secrets (repeatable)."),
    bootstrap: bool = typer.Option(False, "--bootstrap", help="Print what an administrator creates once: the permissions boundary, the operator policy, the steps."),
    boundary: bool = typer.Option(False, "--boundary", help="Print only the permissions boundary every role auroraml creates carries."),
    iam_auth: bool = typer.Option(False, "--iam-auth", help="The operator logs in with RDS IAM database authentication: add rds-db:connect for each --db-user."),
    db_users: Optional[List[str]] = typer.Option(None, "--db-user", metavar="USER", help="With --iam-auth: a database user the operator connects as (repeatable)."),
    publish: Optional[str] = typer.Option(None, "--publish", metavar="cloudwatch", help="Also what `status --watch --publish cloudwatch` needs: cloudwatch:PutMetricData, held to --namespace."),
    namespaces: Optional[List[str]] = typer.Option(None, "--namespace", metavar="NAME", help="With --publish: the CloudWatch namespace status publishes into (repeatable). [default: AuroraML]"),
) -> int:
    """Print the IAM policy document the operator needs to run auroraml (JSON, on stdout)."""
    from ..core import names
    from ..core.errors import UsageError
    from ..core.operator_policy import COMMANDS, boundary_document, document
    from ..core.operator_policy import bootstrap as bootstrap_doc

    wanted = tuple(dict.fromkeys(commands or COMMANDS))
    unknown = [c for c in wanted if c not in COMMANDS]
    if unknown:
        raise UsageError(f"no command {unknown[0]!r} talks to AWS", f"choose from: {', '.join(COMMANDS)}")
    if partition not in names.PARTITIONS:
        raise UsageError(f"unknown partition {partition!r}", f"choose from: {', '.join(names.PARTITIONS)}")
    if account not in (None, "*") and not (account.isdigit() and len(account) == 12):
        raise UsageError(f"{account!r} is not a 12-digit account id", "pass --account 123456789012, or leave it out")
    if bootstrap and boundary:
        raise UsageError("--bootstrap already prints the boundary", "pass one of --bootstrap and --boundary")
    if iam_auth != bool(db_users):
        raise UsageError("--iam-auth names the database users with --db-user" if iam_auth
                         else "--db-user is for --iam-auth (rds-db:connect as that user)",
                         "pass --iam-auth --db-user USER (repeatable), or neither")
    users = []
    for db_user in db_users or ():
        from ..core.sql import MYSQL_USER_MAX, Account

        name = Account.parse(db_user, MYSQL_USER_MAX).checked().user  # a name Aurora could not have is refused
        if any(c in name for c in "*?$"):
            raise UsageError(f"database user {name!r} would be a pattern in the rds-db:connect ARN (* ? ${{...}})",
                             "name the user exactly; IAM has no way to quote those characters")
        users.append(name)
    publish_namespaces = _publish(publish, list(namespaces or ()), wanted, commands)
    for arn in secret_arns or ():
        parsed = names.Arn.parse(arn)
        if parsed.service != "secretsmanager" or not parsed.resource.startswith("secret:"):
            raise UsageError(f"{arn} is not a Secrets Manager secret ARN",
                             "pass arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX")
    out = ctx.obj.out
    if boundary:
        # A policy document is the payload in every output format: it goes straight to `aws iam`,
        # as IAM's own format (no schema_version: IAM refuses a key it does not know). --query
        # filters it as it filters every JSON payload.
        out.json(boundary_document(partition), stamp=False)
        return 0
    scope, found_account = _scope(ctx, list(clusters or ()), list(secret_arns or ()), partition)
    scope.db_users = list(dict.fromkeys(users))
    scope.publish_namespaces = publish_namespaces
    account = account or found_account or "*"
    if found_account and account != found_account:
        raise UsageError(f"the clusters are in account {found_account}, not {account}", "drop --account, or fix it")
    policy = document(wanted, partition, account, scope)
    size = len(json.dumps(policy, separators=(",", ":")))
    if size > MANAGED_POLICY_MAX:
        ctx.obj.out.warn(f"this policy is {size} characters; IAM takes at most {MANAGED_POLICY_MAX} in a managed "
                         "policy: split it by --command, or name fewer clusters")
    if bootstrap:  # auroraml's own document (docs/schemas/iam-policy-bootstrap.schema.json) around two IAM policies
        out.json({"command": "iam-policy", "bootstrap": True, **bootstrap_doc(partition, account, wanted, scope)})
    else:
        out.json(policy, stamp=False)
    return 0


def _publish(publish: Optional[str], namespaces: list[str], wanted: tuple[str, ...], asked) -> list[str]:
    """--publish cloudwatch [--namespace NAME...]: the namespaces PutMetricData is held to."""
    from ..core.errors import UsageError
    from ..core.operator_policy import PUBLISH_ACTIONS
    from ..core.publish import DEFAULT_NAMESPACE, check_namespace

    if publish is None:
        if namespaces:
            raise UsageError("--namespace is for --publish cloudwatch", "add --publish cloudwatch, or drop --namespace")
        return []
    if publish not in PUBLISH_ACTIONS:
        raise UsageError(f"cannot publish to {publish!r}", f"choose from: {', '.join(PUBLISH_ACTIONS)}")
    if "status" not in wanted:
        raise UsageError(f"--publish is for the status command, and --command names only {', '.join(asked)}",
                         "add --command status")
    return [check_namespace(n) for n in dict.fromkeys(namespaces or [DEFAULT_NAMESPACE])]


MANAGED_POLICY_MAX = 6144  # IAM's limit on a managed policy document, whitespace not counted


def _scope(ctx: typer.Context, clusters: list[str], secret_arns: list[str], partition: str):
    """With --cluster: each cluster's ARN, its instances, and the parameter groups setup may write
    (its own custom group, and auroraml-* for a cluster on a default.* group), read from RDS."""
    from ..core.operator_policy import PREFIX, Scope

    if not clusters:
        return Scope(secret_arns=secret_arns), None
    from ..core import names
    from ..core.cluster import Cluster, describe_raw
    from ..core.errors import UsageError

    for ref in clusters:
        names.cluster_ref(ref)  # a one-line usage error, before any AWS call
    aws = ctx.obj.aws
    scope = Scope(clusters=[], instances=[], parameter_groups=[], secret_arns=secret_arns, db_clusters=[])
    accounts = set()
    for ref in clusters:
        raw = describe_raw(aws, ref)
        cluster = Cluster.from_api(raw)
        scope.db_clusters.append((cluster.region, raw.get("DbClusterResourceId") or "*"))
        if cluster.partition != partition:
            raise UsageError(f"{cluster.id} is in partition {cluster.partition}", f"pass --partition {cluster.partition}")
        accounts.add(cluster.account)
        rds = f"arn:{cluster.partition}:rds:{cluster.region}:{cluster.account}"
        scope.clusters.append(str(cluster.arn))
        scope.instances += [f"{rds}:db:{m.instance_id}" for m in cluster.ordered_members()]
        own = [] if cluster.parameter_group.startswith("default.") else [f"{rds}:cluster-pg:{cluster.parameter_group}"]
        scope.parameter_groups += [*own, f"{rds}:cluster-pg:{PREFIX}*"]
    if len(accounts) > 1:
        raise UsageError(f"the clusters are in several accounts ({', '.join(sorted(accounts))})",
                         "print one policy per account")
    scope.parameter_groups = list(dict.fromkeys(scope.parameter_groups))
    return scope, accounts.pop()
