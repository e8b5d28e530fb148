"""The plan for a fleet file: per cluster, setup's own steps for each service the file lists
(setup_plan.plan_service, read from the service specs), then one set of reboots for all of them.

Three services on one cluster are three `setup` runs and three reboots; here the parameter
changes of every service go in first and the members reboot once. Nothing is written while
planning. A refusal of what the file asks (a service the cluster's version cannot have, a region
without the service, a name that does not exist) names the file, the line and the key.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from ..errors import AuroraMLError, UsageError
from ..plan import PLANNED, Plan
from .file import ClusterWant, FleetFile, FleetFileError

# A service table's key (file.OPTION_KEYS) -> the SetupRequest field it fills.
REQUEST_FIELDS = {"models": "model_ids", "endpoints": "endpoints", "bucket": "bucket", "prefix": "prefix",
                  "kms_key": "kms_key", "functions": "functions"}


def close(results: list["ClusterPlan"]) -> None:
    """The database connections the plans opened."""
    for result in results:
        conn = result.extra.pop("conn", None)
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing a connection a reboot or a failure already dropped
                pass


@dataclass
class ClusterPlan:
    want: ClusterWant
    plan: Plan | None = None
    error: AuroraMLError | None = None
    failed: bool = False  # apply: a step failed or the plan could not be made
    extra: dict = field(default_factory=dict)

    @property
    def changes(self) -> int:
        return len(self.plan.changes) if self.plan else 0

    @property
    def blocked(self) -> list:
        """The steps the file asks for that apply will not make (a function that differs, without
        `replace = true`): the cluster is not as the file says, and apply cannot make it so."""
        return [s for s in self.plan.steps if blocked(s)] if self.plan else []

    @property
    def replaced(self) -> list[str]:
        """The functions apply drops and re-creates: its consent covers them, as ddl --replace asks."""
        return [s.target for s in self.plan.changes if s.action == "replace-function"] if self.plan else []

    def to_dict(self, *, dry_run: bool) -> dict:
        doc = {"cluster": self.want.id, "region": self.want.region, "profile": self.want.profile,
               "line": self.want.line}
        if self.plan is not None:
            inner = self.plan.to_dict(dry_run=dry_run)
            doc.update(region=inner.get("region"), account=inner.get("account"), changes=self.changes,
                       changed=inner["changed"], steps=inner["steps"], notes=inner["notes"])
        if self.error is not None:
            doc["error"] = {"message": self.error.message, "hint": self.error.hint, "exit_code": self.error.exit_code}
        doc["status"] = ("failed" if self.failed or self.error is not None else "blocked" if self.blocked
                         else "changes" if self.changes else "ok")
        return doc


def blocked(step) -> bool:
    """A step planned as one apply will not make: a function that differs, without replace = true."""
    from ..plan import SKIPPED

    return step.action == "replace-function" and step.status == SKIPPED


def blocked_error(result: "ClusterPlan") -> AuroraMLError:
    """The cluster's failure after apply when the file asks for what apply did not make."""
    names = ", ".join(s.target for s in result.blocked)
    return UsageError(f"{len(result.blocked)} function(s) differ from the file and were not replaced: {names}",
                      "set replace = true on each in the file and apply again (it asks before dropping them), "
                      "or make the file match the cluster")


def plan_cluster(aws, fleet: FleetFile, want: ClusterWant, *, reboot: bool = True, wait: bool = True,
                 timeout: float = 1800.0, poll_interval: float = 5.0, db_request=None, keep: dict | None = None,
                 prune: bool = False) -> Plan:
    """Every service of one cluster, then its reboots once. UsageError → FleetFileError at the line."""
    from ..catalogue import get_service
    from ..cluster import describe
    from ..setup_plan import SetupRequest, add_reboot_steps, plan_service

    at = ("cluster", want.index)
    try:
        cluster = describe(aws, want.id, want.region)
    except UsageError as exc:
        raise _placed(fleet, (*at, "id"), want, exc) from None
    plan = Plan("apply", {"cluster": cluster.id, "region": cluster.region, "account": cluster.account,
                          "partition": cluster.partition, "clusters": [cluster.id],
                          "services": [s.name for s in want.services]})
    need_reboot = False
    for service in want.services:
        fields = {REQUEST_FIELDS[k]: v for k, v in service.options.items()}
        req = SetupRequest(service=get_service(service.name), cluster=str(cluster.arn), **fields,
                           parameter_group=want.parameter_group, allow_shared=want.allow_shared,
                           reboot=reboot, wait=wait, timeout=timeout, poll_interval=poll_interval)
        try:
            need_reboot |= plan_service(aws, req, cluster, plan)
        except UsageError as exc:
            raise _placed(fleet, (*at, service.name), want, exc) from None
    after_reboot: list = []
    if prune:
        need_reboot |= _prune(aws, want, cluster, plan, after_reboot, wait=wait, timeout=timeout, poll_interval=poll_interval)
    _drop_repeats(plan)
    if (want.grants or want.functions) and db_request is not None:  # before the reboot: the connection is made at plan time
        conn = _database_side(plan, fleet, want, cluster, aws, db_request(str(cluster.arn)))
        if conn is not None and keep is not None:
            keep["conn"] = conn
    add_reboot_steps(plan, aws, cluster, every_member=need_reboot, reboot=reboot, wait=wait, timeout=timeout,
                     interval=poll_interval)
    for step in after_reboot:
        plan.add(step)
    return plan


def _prune(aws, want: ClusterWant, cluster, plan: Plan, after_reboot: list, **options) -> bool:
    """--prune: `teardown` of each service the file does not list but auroraml set up on the
    cluster (its role associated, or a parameter naming it; teardown itself leaves alone what is
    not tagged as auroraml's). Its parameter resets go before the cluster's one reboot, the
    association and IAM removal after it. True when the resets need that reboot."""
    from ..catalogue import SERVICES
    from ..teardown_plan import TeardownRequest, plan_teardown

    listed = {s.name for s in want.services}
    need_reboot = False
    for service in SERVICES.values():
        if service.name in listed:
            continue
        found = plan_teardown(aws, TeardownRequest(service, str(cluster.arn), reboot=True, wait=options["wait"],
                                                   timeout=options["timeout"], poll_interval=options["poll_interval"]))
        if not any(s.status == PLANNED and s.action != "reboot-instance" for s in found.steps):
            continue
        plan.notes.append(f"--prune: {service.name} is not in the file: torn down")
        reboots = [i for i, s in enumerate(found.steps) if s.action == "reboot-instance"]
        first = reboots[0] if reboots else next((i for i, s in enumerate(found.steps) if s.action == "remove-role"),
                                                len(found.steps))
        last = reboots[-1] + 1 if reboots else first
        for step in found.steps[:first]:
            plan.add(step)
        after_reboot += [s for s in found.steps[last:] if s.status == PLANNED]
        need_reboot |= any(s.status == PLANNED for s in found.steps[first:last])
    return need_reboot


def _database_side(plan: Plan, fleet: FleetFile, want: ClusterWant, cluster, aws, request):
    """The functions and grants the file lists, planned on a connection to the cluster (`grant`'s own plan per
    grant: only what is missing). No connection resolves (no secret, no route, no CA): a note,
    and the AWS side is planned alone. Returns the open connection, for apply."""
    from .. import db, ddl, grants
    from ..catalogue import get_service
    from ..sql import MYSQL_USER_MAX, Account

    try:
        target, creds = db.resolve(request, aws, interactive=False)
        conn = db.connect(target, creds)
    except AuroraMLError as exc:
        plan.notes.append(f"database side not read ({len(want.grants)} grant(s), {len(want.functions)} function(s) "
                          f"in the file): {exc.message}")
        return None
    try:
        where = f"{target['host']}:{target['port']}"
        version = db.detect(conn).require_aurora("GRANT", where)
        # `ddl --apply`'s plan: an identical function is unchanged; one that differs is `ddl --apply
        # --replace`'s probe and replace with `replace = true`, else a `skipped` step (BLOCKED).
        for j, function in enumerate(want.functions):
            try:
                ddl.require_version(function.built, version)
                found = ddl.plan_apply(conn, [(function.built.qualified(), function.built.statement())],
                                       replace=function.replace, where=where, keep_differing=(
                                           "set replace = true on this function (or run auroraml ddl "
                                           f"{function.service} {function.name} ... --apply --replace)"))
            except UsageError as exc:
                raise _placed(fleet, ("cluster", want.index, "functions", j), want, exc) from None
            for step in found.steps:
                step.cluster = cluster.id
                plan.add(step)
        for j, grant in enumerate(want.grants):
            req = grants.GrantRequest(get_service(grant.service), Account.parse(grant.user, MYSQL_USER_MAX).checked())
            try:
                found = grants.plan(req, version, conn=conn, where=where)
            except UsageError as exc:
                raise _placed(fleet, ("cluster", want.index, "grants", j), want, exc) from None
            for step in found.steps:
                step.cluster = cluster.id
                plan.add(step)
            plan.notes += found.notes
    except BaseException:
        conn.close()
        raise
    return conn


def _placed(fleet: FleetFile, key_path: tuple, want: ClusterWant, exc: AuroraMLError) -> FleetFileError:
    from .file import _dotted

    return FleetFileError(f"{fleet.where(key_path)}: {_dotted(key_path)} ({want.id}): {exc.message}", exc.hint)


def _drop_repeats(plan: Plan) -> None:
    """Two services on a cluster with a default.* group both plan the cluster's own group and its
    attachment: keep the first of each planned step that is the very same change (action, target,
    detail and value after); two roles associated with one cluster are two changes."""
    seen: set[tuple] = set()
    kept = []
    for step in plan.steps:
        key = (step.action, step.target, step.detail, step.after)
        if step.status == PLANNED and key in seen:
            continue
        if step.status == PLANNED:
            seen.add(key)
        kept.append(step)
    plan.steps[:] = kept


class ClusterFailed(AuroraMLError):
    """A failure that stays on one cluster, with the exit code errors.describe gives it."""

    def __init__(self, code: int, message: str, hint: str | None) -> None:
        super().__init__(message, hint)
        self.exit_code = code


def as_error(exc: BaseException) -> AuroraMLError:
    """An AWS, credentials or database failure as an AuroraMLError; a bug is raised again."""
    from ..errors import EXIT_INTERNAL, describe

    if isinstance(exc, AuroraMLError):
        return exc
    code, message, hint = describe(exc)
    if code == EXIT_INTERNAL or not isinstance(exc, Exception):
        raise exc
    return ClusterFailed(code, message, hint)


def plan_fleet(fleet: FleetFile, aws_for: Callable[[ClusterWant], object], *, parallel: int = 4,
               **options) -> list[ClusterPlan]:
    """Every cluster's plan, read `parallel` clusters at a time, in the file's order. A refusal
    of the file (FleetFileError, or any usage error) is raised: nothing may change then. Other
    failures (AWS, credentials) are kept on that cluster's ClusterPlan."""
    results = [ClusterPlan(want) for want in fleet.clusters]

    def one(result: ClusterPlan) -> None:
        try:
            result.plan = plan_cluster(aws_for(result.want), fleet, result.want, keep=result.extra, **options)
        except UsageError:
            raise
        except Exception as exc:  # noqa: BLE001 - AWS or credentials: this cluster's failure, not the run's
            result.error = as_error(exc)

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        futures = [pool.submit(one, r) for r in results]
        for future in futures:
            future.result()  # the first refusal, in the file's order
    return results
