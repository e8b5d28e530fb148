"""`auroraml iam-policy`: the IAM policy the operator running auroraml needs, to hand to an admin."""

from __future__ import annotations

import json
from typing import List, Optional

import typer

EXAMPLE = """
Examples:

  auroraml iam-policy > auroraml-operator.json

  auroraml iam-policy --command check --command status

  aws iam create-policy --policy-name auroraml-operator --policy-document "$(auroraml iam-policy)"
"""


def iam_policy(
    ctx: typer.Context,
    commands: Optional[List[str]] = typer.Option(None, "--command", "-c", metavar="COMMAND", help="Only what this command needs (repeatable): setup, teardown, check, grant, revoke, ddl, export, explain, status. [default: all]"),
    account: str = typer.Option("*", "--account", help="Account id for the role and policy ARNs."),
    partition: str = typer.Option("aws", "--partition", help="aws, aws-cn, aws-us-gov..."),
) -> int:
    """Print the IAM policy document the operator needs to run auroraml (JSON, on stdout)."""
    from ..core import names
    from ..core.errors import UsageError
    from ..core.operator_policy import COMMANDS, document

    wanted = tuple(dict.fromkeys(commands or COMMANDS))
    unknown = [c for c in wanted if c not in COMMANDS]
    if unknown:
        raise UsageError(f"no command {unknown[0]!r} talks to AWS", f"choose from: {', '.join(COMMANDS)}")
    if partition not in names.PARTITIONS:
        raise UsageError(f"unknown partition {partition!r}", f"choose from: {', '.join(names.PARTITIONS)}")
    if account != "*" and not (account.isdigit() and len(account) == 12):
        raise UsageError(f"{account!r} is not a 12-digit account id", "pass --account 123456789012, or leave it out")
    # A policy document is the payload in every output format: it goes straight to `aws iam`.
    typer.echo(json.dumps(document(wanted, partition, account), indent=2))
    return 0


def register(app: typer.Typer) -> None:
    app.command("iam-policy", epilog=EXAMPLE, rich_help_panel="Wire up")(iam_policy)
