"""SQLAlchemy's pytest plugin, loaded the way its README.dialects.rst tells third-party dialects to.

Not part of the project's test suite (tests/ is): bench/sqlalchemy_suite.py runs this directory
in a subprocess with `-c bench/sqla_compliance/setup.cfg --dburi ...`.
"""

import pytest

pytest.register_assert_rewrite("sqlalchemy.testing.assertions")

from sqlalchemy.testing.plugin.pytestplugin import *  # noqa: E402,F401,F403
