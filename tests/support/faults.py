"""Fault injection for the fault tests (tests/cli/test_faults_*.py, tests/db/test_faults_db.py,
tests/e2e/test_faults_signals_e2e.py).

- `AwsFaults` + `install_aws_faults`: a botocore `before-send` handler, registered first on every
  session auroraml builds, that answers scripted faults for chosen attempts of chosen calls —
  throttling, a 500, a load balancer's 503, an answer lost after the sandbox applied the write,
  Ctrl-C before or after the write, or a callback at that moment — and lets every other attempt
  through to the in-process sandbox. It records every attempt, so a test can count retries.
- `end_state`: a cluster's wiring read through plain describes (IAM and RDS), the cluster's id
  replaced by CLUSTER, so the end states of two clusters compare equal.
- `new_cluster`: a fresh Aurora MySQL 3.08 cluster (writer + reader, on its default parameter
  group): far cheaper than seeding the whole demo set for each test.
- `RebootCounter`: the reboots the sandbox accepted, per instance (the sandbox in this process).
- `SETUP_STEPS` / `TEARDOWN_STEPS`: the write calls of an undisturbed run, in order, each with
  the plan step that makes it: what the per-step fault tests walk through.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

V3 = "8.0.mysql_aurora.3.08.0"

# What a faulted attempt gets (the kinds of fault)
THROTTLE, SERVER_ERROR, UNAVAILABLE, LOST_RESPONSE, INTERRUPT, INTERRUPT_AFTER = (
    "throttle", "500", "503", "lost-response", "interrupt", "interrupt-after-applied")

_QUERY_ERROR = ("<ErrorResponse><Error><Type>{type}</Type><Code>{code}</Code><Message>{message}</Message>"
                "</Error><RequestId>fault-injected</RequestId></ErrorResponse>")


class _Raw:
    """What botocore reads an HTTP body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any):
        yield self._body


def _response(request, status: int, body: bytes, content_type: str = "text/xml"):
    from botocore.awsrequest import AWSResponse

    return AWSResponse(request.url, status, {"Content-Type": content_type, "Content-Length": str(len(body))},
                       _Raw(body))


def fault_response(request, kind: str):
    if kind == THROTTLE:
        body = _QUERY_ERROR.format(type="Sender", code="Throttling", message="Rate exceeded")
        return _response(request, 400, body.encode())
    if kind == SERVER_ERROR:
        body = _QUERY_ERROR.format(type="Receiver", code="InternalFailure",
                                   message="We encountered an internal error. Please try again.")
        return _response(request, 500, body.encode())
    if kind == UNAVAILABLE:  # a load balancer's page, not an AWS error document
        return _response(request, 503, b"<html><body>503 Service Unavailable</body></html>", "text/html")
    raise ValueError(kind)


@dataclass
class Rule:
    operation: str  # e.g. "CreatePolicy"; "*" for every operation
    kind: str
    attempts: set[int]  # which attempts of a call (1 = the first send) get the fault
    match: str | None = None  # only requests whose body contains this (e.g. "DBInstanceIdentifier=c-1")
    after: str | None = None  # only once this operation has been sent in the run
    then: Callable[[], Any] | None = None  # CALLBACK: run after the sandbox applied the request
    once: bool = False  # only the first call the rule matches

    def matches(self, operation: str, attempt: int, body: str, seen: set[str]) -> bool:
        return (self.operation in ("*", operation) and attempt in self.attempts
                and (self.match is None or self.match in body) and (self.after is None or self.after in seen))


CALLBACK = "callback"
SKIP_HEADER = "x-auroraml-test-fault"
PERSISTENT = tuple(range(1, 11))  # every attempt botocore could make


@dataclass
class AwsFaults:
    rules: list[Rule] = field(default_factory=list)
    sent: list[tuple[str, int, str]] = field(default_factory=list)  # (operation, attempt, what happened)
    # Sends a request to the in-process sandbox for real (set by install_aws_faults).
    apply: Callable[[str, Any], Any] = field(default=lambda event_name, request: None, repr=False)

    def add(self, operation: str, kind: str, attempts=(1,), **options: Any) -> "AwsFaults":
        self.rules.append(Rule(operation, kind, set(attempts), **options))
        return self

    def clear(self) -> None:
        self.rules.clear()
        self.sent.clear()

    def attempts(self, operation: str) -> list[str]:
        """What happened to each attempt of `operation`, in order."""
        return [what for op, _, what in self.sent if op == operation]

    def faulted(self) -> list[tuple[str, int, str]]:
        return [s for s in self.sent if s[2] != "sent"]

    def __call__(self, request=None, event_name: str = "", **_: Any):
        operation = event_name.rsplit(".", 1)[-1]
        attempt = _attempt_number(request)
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        seen = {op for op, _, _ in self.sent}
        rule = next((r for r in self.rules if r.matches(operation, attempt, body, seen)), None)
        kind = rule.kind if rule else "sent"
        self.sent.append((operation, attempt, kind))
        if rule is None:
            return None  # on to the sandbox
        if rule.once:
            self.rules.remove(rule)
        if kind == INTERRUPT:
            raise KeyboardInterrupt  # Ctrl-C while the request is on its way: nothing applied
        # botocore calls every before-send handler and takes the first answer: mark the request
        # so that moto's own handler, called next, leaves it alone (see install_aws_faults).
        request.headers[SKIP_HEADER] = kind
        if kind in (LOST_RESPONSE, INTERRUPT_AFTER, CALLBACK):
            answer = self.apply(event_name, request)  # the sandbox applies it...
            if kind == CALLBACK:
                rule.then()  # ...something else happens at that moment...
                return answer  # ...and the CLI gets the sandbox's answer
            if kind == INTERRUPT_AFTER:
                raise KeyboardInterrupt  # ...and Ctrl-C lands before the answer is read
            return fault_response(request, SERVER_ERROR)  # ...and the answer is lost
        return fault_response(request, kind)


def _attempt_number(request) -> int:
    """From the `amz-sdk-request: attempt=N; max=M` header botocore adds to every attempt."""
    header = request.headers.get("amz-sdk-request", b"") if request is not None else b""
    header = header.decode() if isinstance(header, bytes) else str(header)
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "attempt":
            return int(value)
    return 1


_LOADER: list = []


def _shared_loader():
    """One botocore data loader for every session the tests build: each new session otherwise
    parses endpoints.json and the service models again (about 0.5 s a CLI run)."""
    if not _LOADER:
        from botocore.loaders import create_loader

        _LOADER.append(create_loader())
    return _LOADER[0]


def install_aws_faults(monkeypatch, faults: AwsFaults, *, no_backoff: bool = True) -> AwsFaults:
    """Register `faults` first on every botocore session auroraml builds from now on; with
    `no_backoff`, retries happen at once (standard and legacy modes) so tests stay fast."""
    from auroraml_cli.core import aws

    original = aws.Aws._make_session

    def make_session(self):
        fresh = self._session is None
        session = original(self)
        if fresh:
            session.register_component("data_loader", _shared_loader())
            session.get_component("event_emitter").register_first("before-send", faults)
        return session

    monkeypatch.setattr(aws.Aws, "_make_session", make_session)

    from moto.core.botocore_stubber import BotocoreStubber
    from moto.core.models import botocore_stubber

    moto_call = BotocoreStubber.__call__

    def moto_unless_faulted(self, event_name, request, **kwargs):
        if SKIP_HEADER in request.headers:
            return None  # answered by the fault
        return moto_call(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", moto_unless_faulted)
    faults.apply = lambda event_name, request: moto_call(botocore_stubber, event_name, request)
    if no_backoff:
        import botocore.retries.standard as standard
        import botocore.retryhandler as legacy

        monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
        monkeypatch.setattr(legacy, "delay_exponential", lambda base, growth_factor, attempts: 0)
    return faults


# --- the sandbox's state --------------------------------------------------------------------

def new_cluster(rds, name: str, instances: int = 2, version: str = V3) -> str:
    rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-mysql", EngineVersion=version,
                          MasterUsername="admin", MasterUserPassword="sandbox-password")
    for number in range(1, instances + 1):
        rds.create_db_instance(DBInstanceIdentifier=f"{name}-{number}", DBClusterIdentifier=name,
                               Engine="aurora-mysql", DBInstanceClass="db.r6g.large", PromotionTier=number)
    return name


def _doc(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def end_state(client: Callable[..., Any], cluster: str, service: str = "comprehend") -> dict:
    """The wiring of `cluster` for `service`, read with plain describes, the cluster id replaced
    by CLUSTER: the IAM objects named for it (with their documents, attachments, version counts
    and tags), its associations, parameter group, the service's parameter values, and members."""
    iam, rds = client("iam"), client("rds")
    name = f"auroraml-{service}-{cluster}"

    def norm(value: Any) -> Any:
        return json.loads(json.dumps(value, default=str).replace(cluster, "CLUSTER"))

    roles = [r for r in iam.list_roles()["Roles"] if cluster in r["RoleName"]]
    policies = [p for p in iam.list_policies(Scope="Local")["Policies"] if cluster in p["PolicyName"]]
    state: dict[str, Any] = {"roles": {}, "policies": {}}
    for role in roles:
        full = iam.get_role(RoleName=role["RoleName"])["Role"]
        state["roles"][role["RoleName"]] = {
            "trust": _doc(full["AssumeRolePolicyDocument"]),
            "attached": sorted(p["PolicyArn"] for p in
                               iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]),
            "tags": sorted((t["Key"], t["Value"]) for t in full.get("Tags", [])),
        }
    for policy in policies:
        arn = policy["Arn"]
        versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        default = next(v["VersionId"] for v in versions if v["IsDefaultVersion"])
        state["policies"][policy["PolicyName"]] = {
            "document": _doc(iam.get_policy_version(PolicyArn=arn, VersionId=default)["PolicyVersion"]["Document"]),
            "versions": len(versions),
            # Not AttachmentCount: moto counts a repeated AttachRolePolicy twice, which IAM does not.
            "attached_to": sorted(r["RoleName"] for r in iam.list_entities_for_policy(PolicyArn=arn)["PolicyRoles"]),
        }
    c = rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]
    group = c["DBClusterParameterGroup"]
    state["associations"] = sorted((a["RoleArn"], a["Status"], a.get("FeatureName")) for a in c.get("AssociatedRoles", []))
    state["parameter_group"] = group
    state["our_groups"] = sorted(g["DBClusterParameterGroupName"] for g in
                                 rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]
                                 if g["DBClusterParameterGroupName"] == f"auroraml-{cluster}")
    wanted = {f"aws_default_{service}_role"}
    params = {}
    if not group.startswith("default."):
        pages = rds.get_paginator("describe_db_cluster_parameters").paginate(DBClusterParameterGroupName=group)
        params = {p["ParameterName"]: p.get("ParameterValue") for page in pages for p in page["Parameters"]
                  if p["ParameterName"] in wanted}
    state["parameters"] = params
    state["members"] = sorted((m["DBInstanceIdentifier"], m["IsClusterWriter"], m["DBClusterParameterGroupStatus"])
                              for m in c["DBClusterMembers"])
    state["role_name"] = name
    return norm(state)


class RebootCounter:
    """Counts the RebootDBInstance calls the (in-process) sandbox accepted, per instance."""

    def __init__(self, monkeypatch) -> None:
        from moto.rds.models import RDSBackend

        self.accepted: Counter = Counter()
        original = RDSBackend.reboot_db_instance

        def counted(backend, db_instance_identifier, *args, **kwargs):
            result = original(backend, db_instance_identifier, *args, **kwargs)
            self.accepted[db_instance_identifier] += 1
            return result

        monkeypatch.setattr(RDSBackend, "reboot_db_instance", counted)


# --- the steps of setup and teardown, by the write call each makes ------------------------------

@dataclass(frozen=True)
class WriteStep:
    """One write call of a clean run, and the plan step that makes it."""

    operation: str
    action: str
    member: int | None = None  # RebootDBInstance: which member (1 = the writer)

    def match(self, cluster: str) -> str | None:
        return f"DBInstanceIdentifier={cluster}-{self.member}" if self.member else None

    def key(self, cluster: str) -> tuple[str, str | None]:
        return self.action, f"{cluster}-{self.member}" if self.member else None

    def label(self) -> str:
        return f"{self.operation}#{self.member}" if self.member else self.operation


SETUP_STEPS = (
    WriteStep("CreatePolicy", "create-policy"),
    WriteStep("CreateRole", "create-role"),
    WriteStep("AttachRolePolicy", "attach-policy"),
    WriteStep("AddRoleToDBCluster", "associate-role"),
    WriteStep("CreateDBClusterParameterGroup", "create-parameter-group"),
    WriteStep("ModifyDBCluster", "attach-parameter-group"),
    WriteStep("ModifyDBClusterParameterGroup", "set-parameter"),
    WriteStep("RebootDBInstance", "reboot-instance", 1),
    WriteStep("RebootDBInstance", "reboot-instance", 2),
)
TEARDOWN_STEPS = (
    WriteStep("ResetDBClusterParameterGroup", "reset-parameter"),
    WriteStep("RebootDBInstance", "reboot-instance", 1),
    WriteStep("RebootDBInstance", "reboot-instance", 2),
    WriteStep("RemoveRoleFromDBCluster", "remove-role"),
    WriteStep("DetachRolePolicy", "delete-role"),
    WriteStep("DeleteRole", "delete-role"),
    WriteStep("DeletePolicy", "delete-policy"),
)
STEPS = {"setup": SETUP_STEPS, "teardown": TEARDOWN_STEPS}


def step_key(step: dict) -> tuple[str, str | None]:
    """A plan step of the JSON document, as WriteStep.key names it."""
    return step["action"], step["target"] if step["action"] == "reboot-instance" else None


# --- fixtures (imported by the fault test modules) ----------------------------------------------

FAST = {"association_delay": 0.02, "reboot_duration": 0.02, "iam_propagation_delay": 0.0}


def moto_sandbox_fixture():
    """One in-process moto with auroraml's layer for a whole module; each test makes its own
    cluster (new_cluster), so nothing one test does is seen by another."""
    from moto import mock_aws

    from auroraml_cli.sandbox import layer

    layer.install()
    layer.configure(**FAST)
    with mock_aws():
        import boto3

        from auroraml_cli.sandbox.seed import seed_boundary

        seed_boundary(boto3.client("iam", region_name="us-east-1"))  # what setup's roles carry
        yield layer
    layer.configure(**FAST)
