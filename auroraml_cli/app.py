"""The one object a command receives (ctx.obj): settings, the output, and lazily the AWS seam."""

from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property
from typing import Iterator

from .core.errors import UsageError
from .core.output import Output
from .core.settings import Settings


class App:
    def __init__(self, settings: Settings, *, query=None) -> None:
        """`query`: --query's compiled JMESPath expression, applied to every JSON payload."""
        self.settings = settings
        self.out = Output(settings.output, quiet=settings.quiet, verbose=settings.verbose, color=settings.color,
                          query=query)

    @cached_property
    def aws(self):
        from .core.aws import Aws  # boto3 is loaded on the first AWS call, not at start-up

        s = self.settings
        return Aws(s.profile, s.region, connect_timeout=s.connect_timeout, read_timeout=s.read_timeout,
                   endpoint_url=s.endpoint_url)

    @property
    def reader(self):
        """The process's one AWS reader (core/reader.py): every AWS read, typed and made once."""
        return self.aws.reader

    def cluster(self, given: str | None) -> str:
        cluster = given or self.settings.cluster
        if not cluster:
            raise UsageError("no cluster given", "pass --cluster ID (or set AURORAML_CLUSTER, or cluster in the target)")
        from .core.names import cluster_ref

        cluster_ref(cluster)  # a malformed id or ARN is refused before any progress line or AWS call
        return cluster

    @contextmanager
    def aurora(self, request, what: str) -> Iterator[tuple]:
        """(connection, Aurora version, "host:port (engine)") for an Aurora-only statement; a plain
        MySQL or MariaDB server is named and refused before anything runs. Closed afterwards."""
        from .core import db

        target, creds = db.resolve(request, self.aws)
        conn = db.connect(target, creds)
        try:
            where = f"{target['host']}:{target['port']}"
            engine = db.detect(conn)
            yield conn, engine.require_aurora(what, where), f"{where} ({engine.label})"
        finally:
            conn.close()
