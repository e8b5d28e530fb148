"""Show a plan, ask for consent, apply it, report it: shared by every command that changes something.

Consent: a reboot (setup, teardown) is an outage; teardown, revoke and `ddl --apply --replace`
take away what something else may use. Either is made only with --yes, or a 'y' typed at a
terminal after the plan was shown; without a terminal and without --yes, the command refuses
(exit 2) before anything changes. A plan that changes nothing asks nothing (as terraform apply).
"""

import sys
from contextlib import contextmanager
from typing import Callable, Iterator, Union

from ..app import App
from ..core.errors import EXIT_OK, EXIT_REBOOT_PENDING, UsageError, dry_run_exit
from ..core.plan import DONE, FAILED, PLANNED, SKIPPED, UNCHANGED, Plan, Step

COLUMNS = ("action", "target", "status", "detail")


@contextmanager
def cluster_lock(app: App, cluster: str, *, timeout: float, dry_run: bool) -> Iterator[None]:
    """For setup and teardown: the cluster's lock (core/lock.py) around reading the cluster and
    changing it, so a second run waits, then plans from what the first left. A dry run changes
    nothing and takes no lock."""
    if dry_run:
        yield
        return
    from ..core import lock
    from ..core.names import cluster_ref

    ident, region = cluster_ref(cluster)

    def waiting(pid: str) -> None:
        app.out.progress(f"waiting for another auroraml run on {ident} (pid {pid}) to finish "
                         f"(up to {timeout:g}s; --timeout) ...")

    with lock.cluster_lock(region or app.aws.region, ident, timeout=timeout, on_wait=waiting):
        yield


def check_detailed_exitcode(detailed: bool, dry_run: bool) -> None:
    """--detailed-exitcode describes a dry run's plan: without --dry-run it is a usage error,
    refused before anything is read or changed."""
    if detailed and not dry_run:
        raise UsageError("--detailed-exitcode only applies to a dry run", "add --dry-run, or drop --detailed-exitcode")


def at_terminal() -> bool:
    """Someone to ask: stdin to read the answer from and stderr to show the plan and question on."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def run_plan(app: App, plan: Plan, *, dry_run: bool, yes: bool, cluster: str | None = None,
             destructive: Union[bool, Callable[[Step], bool]] = False, detailed: bool = False) -> int:
    """`cluster`: the cluster a SQL plan's server was found through, for the journal.
    `destructive`: the plan's changes (True: all of them; else those the predicate picks) need
    consent (--yes, or a terminal's 'y'). `detailed`: --detailed-exitcode, for a dry run."""
    out = app.out
    reboots = [s.target for s in plan.steps if s.action == "reboot-instance" and s.status == PLANNED]
    if dry_run:
        _render(app, plan, dry_run=True)
        return dry_run_exit(would_change=bool(plan.changes), detailed=detailed)
    doomed = plan.changes if destructive is True else [s for s in plan.changes if destructive and destructive(s)]
    if doomed and not yes:
        _ask_consent(app, plan, reboots)
    elif reboots and not yes:
        _consent(app, plan, reboots)
    apply_journaled(app, plan, cluster, announce=f"{_where(plan.subject)}: {len(plan.changes)} change(s) to make",
                    on_failure=lambda: _render(app, plan, dry_run=False))  # the steps as far as they got
    _render(app, plan, dry_run=False)
    if all(s.status == UNCHANGED for s in plan.steps):
        out.progress("nothing to do: already configured")
    return EXIT_REBOOT_PENDING if any(s.action == "reboot-instance" and s.status == SKIPPED for s in plan.steps) else EXIT_OK


def apply_journaled(app: App, plan: Plan, cluster: str | None, *, announce: str,
                    before_step: Callable[[Step], None] | None = None, live: bool = True,
                    on_failure: Callable[[], None] | None = None) -> None:
    """Apply `plan` as every command applies one: the journal's intent on disk before each write and
    its outcome after, each step's line on stderr, and the waits (a reboot, an association) shown.
    `before_step`: a hook that may stop the run before a step (apply -f's interrupt flag). `live`:
    False where several plans run at once (apply -f's threads): one rich live line at a time.
    `on_failure`: called when a step fails or the run is interrupted (not when the journal cannot
    be opened: then nothing was tried), before the failure goes on."""
    from ..core import progress

    recorder = None
    if plan.changes:
        recorder = _recorder(app, plan, cluster)  # before the first change: refuses if it cannot write
        app.out.progress(announce)
    intents: dict[int, dict] = {}

    def on_start(step: Step) -> None:
        if before_step is not None:
            before_step(step)
        # The intent, on disk before the write is sent: exit 3 and not sent if it cannot be. A step
        # that only waits for an earlier run's change (`writes` false) sends nothing: no record.
        if recorder is not None and step.writes:
            intents[id(step)] = recorder.step_started(step)

    def on_step(step: Step) -> None:
        intent = intents.pop(id(step), None)
        if intent is not None and step.status == FAILED:
            # Interrupted, timed out or cut off after its write was sent, a step may have taken
            # effect (an association made, a reboot begun, a GRANT run): recorded as `failed`, since
            # a re-run may then find it done and make no record of its own.
            try:
                recorder.step_finished(intent, step)
            except Exception as exc:  # noqa: BLE001 - the step's own failure is the one to report
                app.out.warn(f"could not record the failed step in the change journal: {exc}")
        elif intent is not None:
            recorder.step_finished(intent, step)  # done: on disk before the step is reported done
        _progress(app, step)

    try:
        with progress.reporting(progress.for_output(app.out, live=live)):
            plan.apply(on_step=on_step, on_start=on_start)
    except BaseException:
        if on_failure is not None:
            on_failure()
        raise
    finally:
        if recorder is not None:
            recorder.journal.close()


def _recorder(app: App, plan: Plan, cluster: str | None):
    """The journal opened, and who makes the changes: the SQL account for a SQL plan (with the AWS
    caller when this run already knows it), else the AWS caller (sts:GetCallerIdentity, once)."""
    from ..core import journal

    opened = journal.Journal().open()
    s, extra = plan.subject, {}
    if "account" in s and "region" in s:
        where = {k: s.get(k) for k in ("account", "region", "partition")}
        who = caller_identity(app, s.get("region"))
    else:
        where = {"server": s.get("server")}
        who = _ask(app, plan.who, "the database account (CURRENT_USER())") if plan.who else None
        if getattr(app, "caller_arn", None):
            extra["aws_caller"] = app.caller_arn
    return journal.Recorder(opened, command=journal.command_summary(plan.command, s, cluster), where=where, who=who,
                            cluster=cluster or s.get("cluster"), extra=extra)


def caller_identity(app: App, region: str | None = None) -> str | None:
    """The AWS caller's ARN, asked once per run; None (with a warning) when STS does not answer:
    the journal then says who is unknown rather than the change not being made."""
    if getattr(app, "caller_arn", None) is None:
        app.caller_arn = _ask(app, lambda: app.aws.reader.caller_identity(region).arn,
                              "the AWS caller identity (sts:GetCallerIdentity)")
    return app.caller_arn


def _ask(app: App, how, what: str) -> str | None:
    try:
        value = how()
    except Exception as exc:  # noqa: BLE001 - the change may still be made; the journal says who is unknown
        app.out.warn(f"could not read {what} for the change journal: {getattr(exc, 'message', exc)}")
        return None
    return None if value is None else str(value)


def _where(subject: dict) -> str:
    """What is about to change, said before the first change."""
    if "account" in subject and "region" in subject:
        return f"account {subject['account']}, region {subject['region']}, partition {subject['partition']}"
    return f"server {subject.get('server', '?')}"


def _consent(app: App, plan: Plan, reboots: list[str]) -> None:
    """A reboot is an outage: never without --yes, or a 'y' typed at a terminal."""
    if not sys.stdin.isatty():
        raise UsageError(f"this plan reboots {', '.join(reboots)} and stdin is not a terminal",
                         "review it with --dry-run, then pass --yes to consent to the reboot")
    _render_to_stderr(app, plan)
    if not confirm(f"Reboot {', '.join(reboots)} (a short outage for each)?"):
        raise UsageError("reboot declined: nothing was changed", "run with --no-reboot to change settings without rebooting")


def _ask_consent(app: App, plan: Plan, reboots: list[str]) -> None:
    """Consent to a destructive plan: the plan and one question at a terminal; refused otherwise."""
    n = len(plan.changes)
    what = f"{plan.command} would make {n} change{'s' if n != 1 else ''}"
    if reboots:
        what += f" (rebooting {', '.join(reboots)})"
    if not at_terminal():
        raise UsageError(f"{what} and there is no terminal to ask for consent: nothing was changed",
                         "review the plan with --dry-run, then add --yes to make the changes")
    _render_to_stderr(app, plan)
    question = f"Make {'these' if n != 1 else 'this'} {n} change{'s' if n != 1 else ''}"
    question += f", rebooting {', '.join(reboots)} (a short outage for each)?" if reboots else "?"
    if not confirm(question):
        raise UsageError(f"{plan.command} declined: nothing was changed",
                         "review the plan with --dry-run; run again and answer y, or add --yes")


def confirm(question: str) -> bool:
    """y/N on stderr, the answer from stdin; anything but y or yes (or end of input) is no. Not
    click.confirm: it writes the prompt's last space through input(), onto stdout, the payload's."""
    sys.stderr.write(f"{question} [y/N]: ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def _progress(app: App, step: Step) -> None:
    mark = {DONE: "done", FAILED: "FAILED", SKIPPED: "skipped"}.get(step.status, step.status)
    app.out.progress(f"  {mark:<9} {step.action} {step.target}: {step.detail}")


def _rows(plan: Plan) -> list[dict]:
    return [s.to_dict() for s in plan.steps]


def _render(app: App, plan: Plan, *, dry_run: bool) -> None:
    doc = plan.to_dict(dry_run=dry_run)
    columns = COLUMNS if len(plan.subject.get("clusters", ())) <= 1 else ("cluster", *COLUMNS)
    app.out.document(doc, title=plan_title(plan, dry_run=dry_run), rows=_rows(plan), columns=columns)
    for note in plan.notes:
        app.out.progress(f"note: {note}")


def plan_title(plan: Plan, *, dry_run: bool) -> str:
    """The table's title: the command, the service or the functions, for whom, and where: every
    cluster with the regions they are in (setup --global), or the server a SQL plan ran on."""
    s = plan.subject
    words = [plan.command, s.get("service") or ", ".join(s.get("functions") or ())]
    if s.get("account") and "region" not in s:  # a database account (grant, revoke), not the AWS one
        words.append(f"for {s['account']}")
    clusters = s.get("clusters") or ([s["cluster"]] if s.get("cluster") else [])
    regions = s.get("regions") or ([s["region"]] if s.get("region") else [])
    if clusters:
        words.append("on " + ", ".join(clusters))
    if regions:
        words.append("in " + ", ".join(regions))
    if s.get("server") and "region" not in s:
        words.append(("at " if clusters else "on ") + str(s["server"]))
    return " ".join(w for w in words if w) + (" (dry run)" if dry_run else "")


def _render_to_stderr(app: App, plan: Plan) -> None:
    app.out.tell("The plan:")  # even with -q: the question that follows is about it
    for step in plan.steps:
        app.out.tell(f"  {step.status:<9} {step.action} {step.target}: {step.detail}")
