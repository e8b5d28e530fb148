"""Running the checks: one cluster (AWS side, then the database side when a connection is
available), or a fleet (the AWS side of every Aurora MySQL cluster of some regions, on threads)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from ..aws import Aws
from ..cluster import describe_raw
from . import FAIL, SKIP, WARN, Finding, aws_side, db_auth, db_side, summary
from .aws_side import ClusterFacts, Scope
from .reader import Reader

FLEET_WORKERS = 16


@dataclass
class DbScope:
    request: object | None = None  # core.db.ConnectionRequest; None: no database checks
    explicit: bool = False  # connection options were given: failing to connect is a failure
    user: str | None = None
    probe: bool = False


@dataclass
class Report:
    cluster: str
    region: str
    findings: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"cluster": self.cluster, "region": self.region, "checks": [f.as_dict() for f in self.findings],
                "summary": summary(self.findings)}


def check_one(aws: Aws, ref: str, scope: Scope, dbs: DbScope, region: str | None = None) -> Report:
    reader = Reader(aws)
    raw = describe_raw(aws, ref, region)
    findings, facts = aws_side.check_cluster(reader, raw, scope)
    report = Report(raw["DBClusterIdentifier"], facts.cluster.region, findings)
    if dbs.request is not None and getattr(dbs.request, "iam_auth", False):  # can an IAM token log in (db_auth)
        report.findings += db_auth.check(aws, raw, replace(dbs.request, cluster=str(facts.cluster.arn)))
    if dbs.request is not None and facts.version is not None and facts.services:
        report.findings += _database(aws, reader, facts, dbs)
    return report


def _database(aws: Aws, reader: Reader, facts: ClusterFacts, dbs: DbScope) -> list[Finding]:
    from .. import db

    cluster, version = facts.cluster, facts.version
    instances: list[db_side.Instance] = []
    try:
        request = replace(dbs.request, cluster=str(cluster.arn))  # its region, whatever the default
        target, creds = db.resolve(request, aws)
        if request.host:
            places = [(f"{target['host']}:{target['port']}", target["host"], target["port"], True)]
        else:
            known = reader.instances(cluster.region)
            places = []
            for m in cluster.ordered_members():
                endpoint = known.get(m.instance_id, {}).get("Endpoint") or {}
                if endpoint.get("Address"):
                    places.append((m.instance_id, endpoint["Address"], int(endpoint.get("Port") or 3306), m.is_writer))
        for name, host, port, writer in places:
            instances.append(db_side.Instance(name, db.connect({**target, "host": host, "port": port}, creds), writer))
    except Exception as exc:  # noqa: BLE001 - reported as a finding; the AWS side stands on its own
        for inst in instances:
            inst.conn.close()
        message = getattr(exc, "message", None) or str(exc)
        status = FAIL if dbs.explicit else SKIP
        return [Finding("database", None, status, f"no database connection ({message}): the database checks did not run",
                        "pass --defaults-file, --secret-arn or --iam-auth (and --user) to run them")]
    try:
        writer = next((i for i in instances if i.writer), instances[0] if instances else None)
        if writer is None:
            return [Finding("database", None, SKIP, "no instance endpoint to connect to")]
        fix = lambda service: aws_side.setup_fix(service, cluster, reboot=True)  # noqa: E731
        out, variables = db_side.running_values(instances, version, facts.services, facts.parameters, fix)
        out += db_side.engine_settings(variables, cluster.parameter_group)
        out.append(db_side.reserved_words(writer.conn, version))
        targets: list[tuple[str, str, str, str]] = []
        functions = db_side.ml_functions(writer.conn, targets)
        out += aws_side.function_permissions(reader, facts, targets)
        if dbs.user:
            where = f" --host {request.host}" if request.host else f" --cluster {cluster.id}"
            out += db_side.user_access(writer.conn, version, facts.services, dbs.user, variables, functions, where)
        if dbs.probe:
            out += db_side.probe(writer.conn, facts.services, functions)
        return out
    finally:
        for inst in instances:
            inst.conn.close()


def fleet(aws: Aws, regions: list[str], scope: Scope, workers: int = FLEET_WORKERS) -> list[dict]:
    """One summary row per Aurora MySQL cluster of the regions; the AWS side only."""
    reader = Reader(aws)
    with ThreadPoolExecutor(max_workers=min(workers, max(1, len(regions)))) as pool:
        listed = list(pool.map(reader.clusters, regions))
    clusters = [(region, c) for region, found in zip(regions, listed) for c in found if c.get("Engine") == "aurora-mysql"]

    def one(item: tuple[str, dict]) -> dict:
        region, raw = item
        try:
            findings, _ = aws_side.check_cluster(reader, raw, replace(scope))
        except Exception as exc:  # noqa: BLE001 - one cluster must not stop the fleet
            from ..errors import describe

            _, message, _ = describe(exc)
            findings = [Finding("error", None, FAIL, f"could not check: {message}")]
        counts = summary(findings)
        first = next((f for f in findings if f.status == FAIL), None) or next((f for f in findings if f.status == WARN), None)
        return {"cluster": raw["DBClusterIdentifier"], "region": region, **counts,
                "first_problem": None if first is None else
                f"{first.check}{'/' + first.service if first.service else ''}: {first.detail}",
                "fix": None if first is None else first.fix}

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, clusters))
