"""Everything one cluster's SQL endpoint knows, in memory: accounts, functions, tables, the
variables it reads from the AWS half, and the status counters of the instance it stands for.
`reset()` makes it a newly created cluster again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._patch import clock

from .accounts import Accounts, Level, new_cluster_accounts
from .aws import AwsView
from .engine import Engine
from .functions import Functions, StoredFunction
from .status import MlStatus
from .tables import Tables
from .variables import ClusterVariables


class ClusterState:
    def __init__(self, cluster_id: str, engine: Engine, aws: AwsView, master_user: str,
                 master_password: Callable[[], str | None], sql_engine: str = "sqlite") -> None:
        self.cluster_id = cluster_id
        self.sql_engine = sql_engine  # sqlite (tables.Tables) | mariadb (server_tables.ServerTables)
        self._server: Any = None  # the mariadb engine's server (started on first use)
        self.engine = engine
        self.aws = aws
        self._master = (master_user, master_password)
        # @@aurora_server_id names the writer instance the endpoint stands for.
        self.variables = ClusterVariables(engine, aws.parameters, lambda: aws.writer() or cluster_id)
        self.accounts, self.functions, self.tables = self._new()
        self._started = clock()  # the "instance" of an endpoint with no cluster in RDS behind it
        self.ml_status = MlStatus(engine, self._boot)

    def _boot(self, instance: str | None) -> tuple[str, float]:
        """The instance (None: the writer) and when it last started (its reboots in the AWS half)."""
        booted = self.aws.boot(instance)
        return booted or (instance or self.cluster_id, self._started)

    def _new(self) -> tuple[Accounts, Functions, Tables]:
        return new_cluster_accounts(self.engine, *self._master), Functions(), self._new_tables()

    def _new_tables(self) -> Any:
        if self.sql_engine != "mariadb":
            return Tables()
        from .server_tables import ServerHolder, ServerTables

        self._server = self._server or ServerHolder()
        # The server starts now, not on the first client statement: start_endpoint returns a ready
        # endpoint (or raises MariaDBNotFound), and no client's login waits out a server start
        # against its read timeout (seen: a 5 s timeout on a loaded machine).
        self._server.get()
        return ServerTables(self._server)

    def close(self) -> None:
        """The endpoint stops: the tables go, and the mariadb engine's server with them."""
        self.tables.close()
        if self._server is not None:
            self._server.stop()

    def reset(self) -> None:
        self.tables.close()
        self.accounts, self.functions, self.tables = self._new()
        self._started = clock()
        self.ml_status = MlStatus(self.engine, self._boot)

    def forget_routine(self, function: StoredFunction) -> None:
        """A dropped routine takes its privileges with it (MySQL's automatic_sp_privileges)."""
        level = Level("function", function.db, function.name)
        for account in self.accounts.all():
            account.privileges.pop(level, None)
