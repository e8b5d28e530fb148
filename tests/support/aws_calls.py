"""Counting the AWS calls a command makes, with a botocore event hook: every session auroraml
builds (core/aws.py) gets a `before-parameter-build` handler, which botocore emits once per API
call (each page of a paginated read is a call) with the call's parameters. Nothing is mocked."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from auroraml_cli.core.aws import is_write


class AwsCalls(list):
    """("service.Operation", params) of every call, in order; params["@region"] is the client's region."""

    def count(self, operation: str) -> int:  # type: ignore[override]
        return sum(1 for op, _ in self if op == operation)

    def reads(self) -> list[tuple[str, str]]:
        """Each read as (operation, its parameters as sorted JSON)."""
        return [(op, json.dumps(params, sort_keys=True, default=str)) for op, params in self
                if not is_write(op.split(".", 1)[1])]

    def duplicate_reads(self) -> dict[tuple[str, str], int]:
        """Reads made more than once with the very same parameters (the same resource, read again)."""
        return {k: n for k, n in Counter(self.reads()).items() if n > 1}

    def clear(self) -> None:
        del self[:]


@pytest.fixture
def aws_calls(monkeypatch):
    from auroraml_cli.core import aws as aws_module

    calls = AwsCalls()
    original = aws_module.Aws._make_session

    def make_session(self):
        new = self._session is None
        session = original(self)
        if new:
            session.register("before-parameter-build", lambda params, model, context=None, **_: calls.append(
                (f"{model.service_model.service_name}.{model.name}",
                 {**params, "@region": (context or {}).get("client_region")})))
        return session

    monkeypatch.setattr(aws_module.Aws, "_make_session", make_session)
    return calls
