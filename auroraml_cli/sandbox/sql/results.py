"""The result of a statement that returns no rows but counts some: an OK packet's numbers.

mysql-mimic's Connection always sends `0 rows affected` (and its ResultSet, compiled, cannot be
subclassed); the endpoint's Connection subclass sends these counts instead, which PyMySQL returns
from `cursor.execute`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Affected:
    rows: int
    last_insert_id: int = 0
