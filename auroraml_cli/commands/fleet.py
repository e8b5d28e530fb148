"""`auroraml plan -f FILE` and `auroraml apply -f FILE`: the desired state of many clusters, in one
TOML file (core/fleet/file.py), planned per cluster with setup's own steps and one reboot each."""

from pathlib import Path
from typing import List

import typer

from . import examples
from .options import MAX_WAIT, TIMEOUT_HELP, seconds

FILE = typer.Option(..., "--file", "-f", metavar="FILE", help="The fleet file: [[cluster]] tables, each with the services it should have.")
PRUNE_HELP = ("Also tear down (as `teardown` does, only what auroraml made) each service a listed cluster has "
              "but the file does not list. Clusters not in the file are never touched.")
PARALLEL = typer.Option(4, "--parallel", min=1, max=64, metavar="N", help="Clusters read (and changed) at the same time.")

PLAN_EXAMPLE = """
Examples:

  auroraml plan -f fleet.toml

  auroraml plan -f fleet.toml --detailed-exitcode

  auroraml -o json plan -f fleet.toml
"""

APPLY_EXAMPLE = """
Examples:

  auroraml apply -f fleet.toml --yes

  auroraml apply -f fleet.toml --parallel 8 --yes

  auroraml apply -f fleet.toml --no-reboot
"""


@examples(PLAN_EXAMPLE)
def plan(
    ctx: typer.Context,
    file: Path = FILE,
    detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode", help="Exit 2 when the plan would change something, 0 when not (errors keep their own exit codes)."),
    parallel: int = PARALLEL,
    prune: bool = typer.Option(False, "--prune", help=PRUNE_HELP),
) -> int:
    """Read every cluster of the fleet file and show what apply would change: setup's steps, one reboot per cluster."""
    from ..core.errors import EXIT_CHANGES, EXIT_OK

    app = ctx.obj
    from ..core.fleet.plan import close

    fleet, results = _plan(app, file, parallel=parallel, reboot=True, wait=True, timeout=1800.0, prune=prune)
    close(results)
    _render(app, fleet, results, dry_run=True)
    failed = [r for r in results if r.error is not None]
    if failed:
        return failed[0].error.exit_code
    changes = sum(r.changes for r in results)
    blocked = [(r.want.id, s) for r in results for s in r.blocked]
    for cluster, step in blocked:
        app.out.progress(f"{cluster}: {step.target}: apply will not change it: {step.detail}")
    summary = (f"{changes} change(s) in {sum(1 for r in results if r.changes)} of {len(results)} cluster(s)"
               if changes else "no changes apply can make" if blocked else "no changes: every cluster is as the file says")
    if blocked:
        summary += f"; {len(blocked)} function(s) differ from the file and will not be replaced (see above)"
    app.out.progress(summary)
    # A function that differs and is not to be replaced is drift apply cannot remove: still "not as the file says".
    return EXIT_CHANGES if detailed_exitcode and (changes or blocked) else EXIT_OK


@examples(APPLY_EXAMPLE)
def apply(
    ctx: typer.Context,
    file: Path = FILE,
    parallel: int = PARALLEL,
    reboot: bool = typer.Option(True, "--reboot/--no-reboot", help="Reboot each changed cluster once, after all its parameter changes (asks first; --yes to consent). --no-reboot: exit 7 while a reboot is pending."),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Wait for associations to be ACTIVE and the last reboot to reach in-sync."),
    timeout: float = typer.Option(1800.0, "--timeout", parser=seconds(1, MAX_WAIT), metavar="SECONDS", help=TIMEOUT_HELP),
    yes: bool = typer.Option(False, "--yes", "-y", help="Consent to the reboots, and to re-creating the functions marked replace = true, without asking."),
    prune: bool = typer.Option(False, "--prune", help=PRUNE_HELP),
) -> int:
    """Make every cluster of the fleet file as it says: all of a cluster's changes, then one reboot; clusters in parallel."""
    import threading
    from concurrent.futures import ThreadPoolExecutor, wait

    from ..core.errors import EXIT_OK, EXIT_REBOOT_PENDING
    from ..core.fleet.plan import blocked_error, close

    app = ctx.obj
    fleet, results = _plan(app, file, parallel=parallel, reboot=reboot, wait=wait, timeout=timeout, prune=prune)
    reboots = [s.target for r in results if r.plan for s in r.plan.changes if s.action == "reboot-instance"]
    replaced = [f for r in results for f in r.replaced]
    if (reboots or replaced) and not yes:
        try:
            _consent(app, reboots, replaced)
        except BaseException:
            close(results)
            raise
    for r in results:
        if r.error is not None:
            r.failed = True
            app.out.progress(f"{r.want.id}: FAILED before any change: {r.error.message}")
    todo = [r for r in results if r.plan is not None and r.plan.changes]
    stop = threading.Event()
    try:
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            futures = [pool.submit(_apply_one, app, r, timeout, stop) for r in todo]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                # Ctrl-C or SIGTERM: no cluster starts, and each running one stops before its next
                # step (the step under way finishes); the same apply resumes from what is left.
                stop.set()
                for future in futures:
                    future.cancel()
                wait(futures)
                _render(app, fleet, results, dry_run=False)
                raise
    finally:
        close(results)
    for r in results:
        if r.blocked and not r.failed:  # the rest of the cluster was applied; it is still not as the file says
            r.failed, r.error = True, blocked_error(r)
    _render(app, fleet, results, dry_run=False)
    for r in results:
        if r.blocked:
            for step in r.blocked:
                app.out.progress(f"{r.want.id}: {step.target}: not changed: {step.detail}")
        made = sum(1 for s in r.plan.steps if s.status == "done") if r.plan else 0
        outcome = (f"FAILED: {r.error.message if r.error else 'a step failed'}" if r.failed
                   else f"{made} change(s) made" if made else "unchanged")
        app.out.progress(f"{r.want.id}: {outcome}")
    failed = [r for r in results if r.failed]
    if failed:
        app.out.progress(f"{len(failed)} of {len(results)} cluster(s) failed: {', '.join(r.want.id for r in failed)}")
        return failed[0].error.exit_code
    pending = any(s.action == "reboot-instance" and s.status == "skipped" for r in results if r.plan for s in r.plan.steps)
    return EXIT_REBOOT_PENDING if pending else EXIT_OK


def _plan(app, file: Path, *, parallel: int, **options):
    from ..core.fleet import file as fleet_file
    from ..core.fleet.plan import plan_fleet

    fleet = fleet_file.load(file)
    made: dict = {}

    def aws_for(want):
        """The run's AWS seam, or one per profile the file names."""
        if want.profile is None:
            return app.aws
        if want.profile not in made:
            from ..core.aws import Aws

            s = app.settings
            made[want.profile] = Aws(want.profile, s.region, connect_timeout=s.connect_timeout, read_timeout=s.read_timeout)
        return made[want.profile]

    def db_request(cluster_arn: str):
        """The connection the database side uses: the settings' (AURORAML_*, the target), to the cluster."""
        from dataclasses import replace

        from .options import ConnectionOptions, connection_request

        return replace(connection_request(app, ConnectionOptions()), cluster=cluster_arn)

    with app.out.spinner(f"reading {len(fleet.clusters)} cluster(s) of {file}"):
        results = plan_fleet(fleet, aws_for, parallel=parallel, poll_interval=app.settings.poll_interval,
                             db_request=db_request, **options)
    return fleet, results


def _apply_one(app, result, timeout: float, stop) -> None:
    """One cluster's plan, in order, under its lock and journaled; a failure stays on this cluster."""
    from ..core import lock
    from ..core.fleet.plan import as_error
    from ._plans import apply_journaled

    plan, cluster = result.plan, result.want.id
    try:
        with lock.cluster_lock(plan.subject["region"], cluster, timeout=timeout,
                               on_wait=lambda pid: app.out.progress(f"{cluster}: waiting for auroraml run pid {pid} ...")):
            def before_step(step) -> None:
                if stop.is_set():  # the run was interrupted: this step stays planned
                    raise KeyboardInterrupt

            # Clusters run on threads at once: their waits are plain lines (one live line at a time).
            apply_journaled(app, plan, cluster, announce=f"{cluster}: {len(plan.changes)} change(s) to make",
                            before_step=before_step, live=False)
    except Exception as exc:  # noqa: BLE001 - one cluster's failure must not stop the others (a bug is raised)
        result.failed, result.error = True, as_error(exc)


def _consent(app, reboots: list[str], replaced: list[str]) -> None:
    """Consent to what takes something away for a moment: reboots (an outage) and functions
    dropped and re-created (`replace = true`; callers lose them for a moment, as ddl --replace asks)."""
    import sys

    from ..core.errors import UsageError

    what = [f"reboots {', '.join(reboots)}"] if reboots else []
    what += [f"drops and re-creates {', '.join(replaced)}"] if replaced else []
    if not sys.stdin.isatty():
        raise UsageError(f"this apply {' and '.join(what)} and stdin is not a terminal: nothing was changed",
                         "review it with auroraml plan -f FILE, then pass --yes to consent")
    question = [f"Reboot {', '.join(reboots)} (a short outage for each)"] if reboots else []
    question += [f"drop and re-create {', '.join(replaced)} (callers lose each for a moment)"] if replaced else []
    from ._plans import confirm  # not click's: it writes its prompt's last space onto stdout

    if not confirm("; ".join(question) + "?"):
        if not replaced:
            raise UsageError("reboot declined: nothing was changed", "run with --no-reboot to change settings without rebooting")
        raise UsageError("apply declined: nothing was changed",
                         "review it with auroraml plan -f FILE; run again and answer y, or pass --yes")


def _render(app, fleet, results, *, dry_run: bool) -> None:
    doc = {"command": "plan" if dry_run else "apply", "file": fleet.path, "dry_run": dry_run}
    if dry_run:
        doc["changes"] = sum(r.changes for r in results)
    doc["failed"] = [r.want.id for r in results if r.failed or r.error is not None]
    doc["clusters"] = [r.to_dict(dry_run=dry_run) for r in results]
    rows = []
    for r in results:
        if r.plan is not None:
            rows += [s.to_dict() for s in r.plan.steps]
        if r.error is not None:
            rows.append({"cluster": r.want.id, "action": "error", "target": r.want.id, "status": "failed",
                         "detail": r.error.message})
    title = f"{'plan' if dry_run else 'apply'} {fleet.path}"
    app.out.document(doc, title=title, rows=rows, columns=("cluster", "action", "target", "status", "detail"))
    for r in results:
        for note in (r.plan.notes if r.plan else ()):
            app.out.progress(f"note: {r.want.id}: {note}")


STATE_EXAMPLE = """
Examples:

  auroraml state --cluster ml-demo > fleet.toml

  auroraml state --cluster ml-demo --cluster arn:aws:rds:eu-west-1:123456789012:cluster:ml-eu > fleet.toml
"""


@examples(STATE_EXAMPLE)
def state(
    ctx: typer.Context,
    cluster: List[str] = typer.Option(..., "--cluster", help="DB cluster id or ARN (repeatable; an ARN names its region)."),
) -> int:
    """Write what existing clusters have as a fleet file (TOML, on stdout): plan -f on it shows no changes."""
    import sys

    from ..core.errors import EXIT_OK
    from ..core.fleet.state import cluster_state, render
    from ..core.names import cluster_ref

    app = ctx.obj
    refs = [app.cluster(c) for c in cluster]
    states = []
    with app.out.spinner(f"reading {len(refs)} cluster(s)"):
        for ref in refs:
            _, region = cluster_ref(ref)
            states.append(cluster_state(app.aws, ref, region))
    if app.settings.output == "json":  # asked for; a pipe gets the TOML file, not JSON
        app.out.document({"command": "state", "clusters": states})
    else:
        sys.stdout.write(render(states))
        sys.stdout.flush()
    return EXIT_OK
