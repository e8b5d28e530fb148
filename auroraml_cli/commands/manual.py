"""`auroraml man`: the manual page (roff), printed or installed for this user.

The page ships in the package (man/auroraml.1, in the wheel auroraml_cli/share/man/auroraml.1, generated from the command tree
by tools/gen_docs.py; tests catch drift), so an installed wheel or a pipx install has it as is.
"""

import os
import sys
from pathlib import Path

import typer

from . import examples

from ..shipped import shipped

EXAMPLE = """
Examples:

  auroraml man --install

  auroraml man | man -l -
"""


def location() -> Path:
    """Where man-db looks for a user's pages without MANPATH (beside ~/.local/bin)."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "man" / "man1" / "auroraml.1"


@examples(EXAMPLE)
def manual(
    ctx: typer.Context,
    install: bool = typer.Option(False, "--install", help="Write it to ~/.local/share/man/man1 (XDG_DATA_HOME) so `man auroraml` finds it."),
) -> int:
    """Print the manual page (roff), or install it for this user with --install."""
    text = shipped("man", "auroraml.1").read_text(encoding="ascii")
    if not install:
        sys.stdout.write(text)
        return 0
    path = location()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    ctx.obj.out.progress(f"wrote {path}; `man auroraml` shows it (if not, add {path.parent.parent} to MANPATH)")
    return 0
