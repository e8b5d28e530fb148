"""Plans: the one object that `--dry-run` renders and apply executes.

A plan is built from what was read (nothing is written while planning). Each step knows whether
it is needed — `planned` or `unchanged` — and how to do itself. Apply runs the planned steps in
order; a step may still find, at run time, that there is nothing to do (`unchanged`) or that it
cannot be done now (`skipped`). If a step fails or the run is interrupted, the steps after it stay
`planned`, and running the same command again plans only what is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

PLANNED, UNCHANGED, DONE, FAILED, SKIPPED = "planned", "unchanged", "done", "failed", "skipped"


@dataclass
class Step:
    action: str
    target: str
    detail: str = ""
    status: str = PLANNED
    cluster: str = ""
    # Does the step; may set status to UNCHANGED or SKIPPED itself, and may return a new detail
    # (anything but a string, such as an API response, is ignored).
    run: Callable[["Step"], str | None] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "target": self.target, "status": self.status,
                "detail": self.detail, "cluster": self.cluster}


@dataclass
class Plan:
    command: str
    subject: dict[str, Any]  # what the plan is about: service, cluster, region, ...
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, step: Step) -> Step:
        self.steps.append(step)
        return step

    def unchanged(self, action: str, target: str, detail: str, cluster: str = "") -> Step:
        return self.add(Step(action, target, detail, UNCHANGED, cluster))

    @property
    def changes(self) -> list[Step]:
        return [s for s in self.steps if s.status == PLANNED]

    def apply(self, on_step: Callable[[Step], None] = lambda s: None) -> None:
        for step in self.steps:
            if step.status != PLANNED:
                continue
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
