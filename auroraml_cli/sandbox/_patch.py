"""How the layer changes moto (wrap a method, or define one), and what the patches share."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.rds.exceptions import RDSClientError

PAGE_SIZES = range(20, 101)  # AWS's MaxRecords bounds for RDS's Describe* calls


def wrap(cls: type, name: str, replacement: Callable[..., Any]) -> None:
    """Make `cls.name` call `replacement(original, self, *args, **kwargs)`."""
    original = getattr(cls, name)

    @functools.wraps(original)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return replacement(original, self, *args, **kwargs)

    setattr(cls, name, method)


def define(cls: type, name: str, function: Callable[..., Any]) -> None:
    """Give `cls` a method moto lacks, or replace moto's outright. moto dispatches an API action
    to the response method of the same snake_case name, so defining
    `RDSResponse.remove_role_from_db_cluster` implements that action."""
    setattr(cls, name, function)


_ahead = 0.0  # seconds layer.advance() has moved the clock on


def clock() -> float:
    """Seconds on a clock that never goes back: the simulated delays compare against it."""
    return time.monotonic() + _ahead


def advance(seconds: float) -> None:
    global _ahead
    _ahead += seconds


def rds_error(code: str, message: str) -> RDSClientError:
    """An RDS error as AWS sends it; `code` is the wire code (e.g. DBClusterRoleNotFound)."""
    return RDSClientError(code, message)


def paged(key: str, rows: list[Any], params: Any) -> ActionResult:
    """One page of `rows` as RDS's Describe* calls return it: MaxRecords (20-100, default 100)
    and an opaque Marker. (moto's own paginator needs a unique attribute these rows lack.)"""
    size = params.get("MaxRecords") or 100
    if size not in PAGE_SIZES:
        raise rds_error(
            "InvalidParameterValue", f"Invalid value {size} for MaxRecords. Must be between 20 and 100"
        )
    marker = params.get("Marker") or "0"
    if not marker.isdigit():
        raise rds_error("InvalidParameterValue", f"Invalid marker: {marker}")
    start = int(marker)
    result: dict[str, Any] = {key: rows[start : start + size]}
    if start + size < len(rows):
        result["Marker"] = str(start + size)
    return ActionResult(result)
