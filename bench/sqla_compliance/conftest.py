"""SQLAlchemy's pytest plugin, loaded the way its README.dialects.rst tells third-party dialects to.

Not part of the project's test suite (tests/ is): bench/sqlalchemy_suite.py runs this directory
in a subprocess with `-c bench/sqla_compliance/setup.cfg --dburi ...`.
"""

import os

import pytest

pytest.register_assert_rewrite("sqlalchemy.testing.assertions")

from sqlalchemy.testing.plugin.pytestplugin import *  # noqa: E402,F401,F403


if os.environ.get("SQLA_SUITE_PROBE_PAST_DESCRIBE") == "1":
    # An estimate, not a measurement of the dialect as shipped (bench/sqlalchemy_suite.py
    # --probe-past-describe): has_table asks information_schema.TABLES instead of DESCRIBE, to
    # see which failures come after the first blocker. Temporary tables are then never found.
    from sqlalchemy.dialects.mysql.base import MySQLDialect

    def _has_table(self, connection, table_name, schema=None, **kw):
        schema = schema or self.default_schema_name
        found = connection.exec_driver_sql(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
            (schema, table_name)).scalar()
        return bool(found)

    MySQLDialect.has_table = _has_table
