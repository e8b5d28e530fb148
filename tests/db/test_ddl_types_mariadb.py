"""`ddl`'s type and name rules against a real server: what ddl refuses (exit 2, before anything is
sent) the server refuses too, and what ddl accepts at MySQL's limits the server accepts.

MariaDB stands in for MySQL here on the limits the two share (its DECIMAL scale reaches 38 where
MySQL's stops at 30, so that one rule is the manual's, tested offline in tests/core/test_ddl.py).
"""

from __future__ import annotations

import pymysql
import pytest

from auroraml_cli.core import ddl
from auroraml_cli.core.errors import UsageError

REFUSED_BY_BOTH = ["DECIMAL(66,2)", "DECIMAL(10,11)", "CHAR(256)", "VARCHAR(16384)", "INT(256)", "FLOAT(54)",
                   "DOUBLE(10)", "INT(10,2)", "DATE(3)", "BIT(65)", "DATETIME(7)"]
ACCEPTED_BY_BOTH = ["DECIMAL(65,30)", "CHAR(255)", "VARCHAR(16383)", "INT(255)", "FLOAT(53)", "DOUBLE(255,30)",
                    "BIT(64)", "DATETIME(6)", "TEXT(1000)"]


@pytest.fixture
def mldb(fresh_accounts):
    fresh_accounts.database("mldb")
    return fresh_accounts


def _server_takes(accounts, params: str, returns: str = "INT") -> bool:
    try:
        accounts.execute(f"CREATE FUNCTION `mldb`.`t` ({params}) RETURNS {returns} RETURN NULL")
    except pymysql.err.MySQLError:
        return False
    accounts.execute("DROP FUNCTION `mldb`.`t`")
    return True


def _ddl_takes(args: list[str], returns: str = "INT", name: str = "mldb.t") -> bool:
    try:
        ddl.sagemaker(name, endpoint="e", args=args, returns=returns)
    except UsageError:
        return False
    return True


@pytest.mark.parametrize("text", REFUSED_BY_BOTH + ACCEPTED_BY_BOTH)
def test_ddl_refuses_a_type_exactly_when_the_server_does(mldb, text):
    param = ddl.Arg("a", ddl.SqlType.parse(text)) if _ddl_takes([f"a:{text}"]) else None
    sql = param.sql() if param else f"`a` {text}" + (" CHARSET utf8mb4" if text.startswith(("CHAR", "VARCHAR")) else "")
    assert _ddl_takes([f"a:{text}"]) == _server_takes(mldb, sql) == (text in ACCEPTED_BY_BOTH)


@pytest.mark.parametrize("params, args", [("`a` INT, `A` INT", ["a:INT", "A:INT"]), ("`\U0001F600` INT", ["\U0001F600:INT"])])
def test_argument_names_the_server_refuses_are_refused(mldb, params, args):
    assert not _server_takes(mldb, params) and not _ddl_takes(args)


@pytest.mark.parametrize("name", ["t ", "\U0001F600"])
def test_function_names_the_server_refuses_are_refused(mldb, name):
    with pytest.raises(pymysql.err.MySQLError):
        mldb.execute(f"CREATE FUNCTION `mldb`.`{name}` (a INT) RETURNS INT RETURN 1")
    assert not _ddl_takes(["a:INT"], name=f"mldb.{name}")
