"""`auroraml man`: the manual page (roff), printed or installed for this user.

The page is rendered from the command tree (auroraml_cli.docs.manpage), so an installed wheel or
a pipx install has it without the repository; `man/auroraml.1` is the same text, committed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

EXAMPLE = """
Examples:

  auroraml man --install

  auroraml man | man -l -
"""


def location() -> Path:
    """Where man-db looks for a user's pages without MANPATH (beside ~/.local/bin)."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "man" / "man1" / "auroraml.1"


def manual(
    ctx: typer.Context,
    install: bool = typer.Option(False, "--install", help="Write it to ~/.local/share/man/man1 (XDG_DATA_HOME) so `man auroraml` finds it."),
) -> int:
    """Print the manual page (roff), or install it for this user with --install."""
    from ..docs import manpage

    text = manpage.render()
    if not install:
        sys.stdout.write(text)
        return 0
    path = location()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    ctx.obj.out.progress(f"wrote {path}; `man auroraml` shows it (if not, add {path.parent.parent} to MANPATH)")
    return 0


def register(app: typer.Typer) -> None:
    app.command("man", epilog=EXAMPLE, rich_help_panel="Shell")(manual)
