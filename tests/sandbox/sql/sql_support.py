"""A PyMySQL client for the SQL endpoint tests: every call over TCP with timeouts, as a tool connects."""

from __future__ import annotations

from typing import Any, NamedTuple

import pymysql
import pytest
from sandbox_support import PASSWORD

TIMEOUT = 5


class Address(NamedTuple):
    """Where to connect, as RDS reports it (an endpoint object has the same two fields)."""

    host: str
    port: int


class Client:
    """One connection; `rows`/`one`/`value` read, `run` returns the affected rows, `error` the
    (code, message) of a statement the server refuses."""

    def __init__(self, endpoint: Any, user: str = "admin", password: str = PASSWORD, **options: Any) -> None:
        self.connection = connect(endpoint, user, password, **options)

    def rows(self, sql: str) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    def columns(self, sql: str) -> list[str]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return [d[0] for d in cursor.description]

    def one(self, sql: str) -> tuple:
        (row,) = self.rows(sql)
        return row

    def value(self, sql: str) -> Any:
        return self.one(sql)[0]

    def run(self, sql: str) -> int:
        with self.connection.cursor() as cursor:
            return cursor.execute(sql)

    def error(self, sql: str) -> tuple[int, str]:
        with pytest.raises(pymysql.MySQLError) as caught:
            self.run(sql)
        return caught.value.args[0], caught.value.args[1]

    def close(self) -> None:
        self.connection.close()


def connect(endpoint: Any, user: str = "admin", password: str = PASSWORD, **options: Any) -> pymysql.Connection:
    return pymysql.connect(
        host=endpoint.host, port=endpoint.port, user=user, password=password, connect_timeout=TIMEOUT,
        read_timeout=TIMEOUT, write_timeout=TIMEOUT, autocommit=True, charset="utf8mb4", **options,
    )


def login_error(endpoint: Any, user: str, password: str) -> tuple[int, str]:
    with pytest.raises(pymysql.MySQLError) as caught:
        connect(endpoint, user, password)
    return caught.value.args[0], caught.value.args[1]


# The SQL engines a module runs under when it overrides the `sql_engine` fixture with
# `pytest.fixture(params=ENGINES)(engine_fixture)`: the Aurora layer must behave the same on both.
ENGINES = ("sqlite", "mariadb")


def engine_fixture(request: Any) -> str:
    """The engine of this parametrization; the mariadb one skips only where no server is installed
    (.ci/run installs mariadb-server)."""
    if request.param == "mariadb":
        from auroraml_cli.sandbox.mariadb_server import MariaDBNotFound, find_binaries

        try:
            find_binaries()
        except MariaDBNotFound as missing:
            pytest.skip(f"--engine mariadb: {missing}")
    return request.param
