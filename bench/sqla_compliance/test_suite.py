"""The whole generic compliance suite (sqlalchemy.testing.suite), nothing skipped by hand."""

from sqlalchemy.testing.suite import *  # noqa: F401,F403
