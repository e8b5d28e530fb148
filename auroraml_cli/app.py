"""The one object a command receives (ctx.obj): settings, the output, and lazily the AWS seam."""

from __future__ import annotations

from functools import cached_property

from .core.errors import UsageError
from .core.output import Output
from .core.settings import Settings


class App:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.out = Output(settings.output, quiet=settings.quiet, verbose=settings.verbose, color=settings.color)

    @cached_property
    def aws(self):
        from .core.aws import Aws  # boto3 is loaded on the first AWS call, not at start-up

        return Aws(self.settings.profile, self.settings.region)

    def cluster(self, given: str | None) -> str:
        cluster = given or self.settings.cluster
        if not cluster:
            raise UsageError("no cluster given", "pass --cluster ID (or set AURORAML_CLUSTER, or cluster in the target)")
        return cluster
