"""Plans: the one object that `--dry-run` renders and apply executes.

A plan is built from what was read (nothing is written while planning). Each step knows whether
it is needed — `planned` or `unchanged` — and how to do itself. Apply runs the planned steps in
order; a step may still find, at run time, that there is nothing to do (`unchanged`) or that it
cannot be done now (`skipped`). If a step fails or the run is interrupted, the steps after it stay
`planned`, and running the same command again plans only what is left.
"""

from __future__ import annotations

from typing import Any, Callable

from .records import Record

PLANNED, UNCHANGED, DONE, FAILED, SKIPPED = "planned", "unchanged", "done", "failed", "skipped"


def command_line(*words: str | None) -> str:
    """A command an operator can paste (a Step's `undo`): each word shell-quoted, None words dropped."""
    import shlex

    return shlex.join(w for w in words if w is not None)


class Step(Record):
    __slots__ = ("action", "target", "detail", "status", "cluster", "run", "before", "after", "undo", "writes")
    _unshown = ("run",)
    action: str
    target: str
    detail: str
    status: str
    cluster: str
    # Does the step; may set status to UNCHANGED or SKIPPED itself, and may return a new detail
    # (anything but a string, such as an API response, is ignored).
    run: Callable[[Step], str | None] | None
    # For the change journal (core/journal.py), where the planner knows them: the value before
    # and after the change, and a command (auroraml, aws or SQL) that reverses it.
    before: str | None
    after: str | None
    undo: str | None
    # False for a step that only waits for a change an earlier run sent (an association still
    # PENDING): it makes no change of its own, so it is never journaled and ends `unchanged`.
    writes: bool

    def __init__(self, action: str, target: str, detail: str = "", status: str = PLANNED, cluster: str = "",
                 run: Callable[[Step], str | None] | None = None, before: str | None = None, after: str | None = None,
                 undo: str | None = None, writes: bool = True) -> None:
        self.action, self.target, self.detail, self.status, self.cluster = action, target, detail, status, cluster
        self.run, self.before, self.after, self.undo, self.writes = run, before, after, undo, writes

    def to_dict(self) -> dict[str, Any]:
        doc = {"action": self.action, "target": self.target, "status": self.status,
               "detail": self.detail, "cluster": self.cluster}
        for key in ("before", "after", "undo"):
            if getattr(self, key) is not None:
                doc[key] = getattr(self, key)
        return doc


class Plan(Record):
    __slots__ = ("command", "subject", "steps", "notes", "who", "desired")
    _unshown = ("who", "desired")
    command: str
    subject: dict[str, Any]  # what the plan is about: service, cluster, region, ...
    steps: list[Step]
    notes: list[str]
    # Who makes the changes, when the planner can tell better than the AWS caller: SQL plans
    # return the connection's CURRENT_USER(). Asked once, before the first change (journal).
    who: Callable[[], str | None] | None
    # What the plan leads to on AWS, whole (not only what is missing): setup's AwsHalf per cluster,
    # which `setup --emit` writes as CloudFormation or Terraform (core/emit/).
    desired: list[Any]

    def __init__(self, command: str, subject: dict[str, Any], steps: list[Step] | None = None,
                 notes: list[str] | None = None, who: Callable[[], str | None] | None = None,
                 desired: list[Any] | None = None) -> None:
        self.command, self.subject = command, subject
        self.steps = [] if steps is None else steps
        self.notes = [] if notes is None else notes
        self.who = who
        self.desired = [] if desired is None else desired

    def add(self, step: Step) -> Step:
        self.steps.append(step)
        return step

    def unchanged(self, action: str, target: str, detail: str, cluster: str = "") -> Step:
        return self.add(Step(action, target, detail, UNCHANGED, cluster))

    @property
    def changes(self) -> list[Step]:
        return [s for s in self.steps if s.status == PLANNED]

    def apply(self, on_step: Callable[[Step], None] = lambda s: None,
              on_start: Callable[[Step], None] = lambda s: None) -> None:
        """Run the planned steps in order. `on_start(step)` comes before the step's run (the
        journal's intent record: if it raises, the step is not run and stays planned), and
        `on_step(step)` after it, whatever its outcome."""
        for step in self.steps:
            if step.status != PLANNED:
                continue
            on_start(step)
            try:
                detail = step.run(step) if step.run else None
            except BaseException as exc:
                step.status = FAILED
                step.detail = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(getattr(exc, "message", exc))
                on_step(step)
                raise
            if isinstance(detail, str):
                step.detail = detail
            if step.status == PLANNED:
                step.status = DONE
            on_step(step)

    def to_dict(self, *, dry_run: bool) -> dict[str, Any]:
        return {
            "command": self.command,
            **self.subject,
            "dry_run": dry_run,
            "changed": any(s.status == DONE for s in self.steps),
            "steps": [s.to_dict() for s in self.steps],
            "notes": list(self.notes),
        }
