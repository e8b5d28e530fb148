"""`python -m auroraml_cli.docs [--check]`: rewrite completions/ and man/ from the command tree.

The generated files are committed, so that packagers and users get them without running anything;
`--check` lists the files that no longer match the tree and exits 1 (the tests do the same).
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import command_index, completions, manpage

ROOT = Path(__file__).resolve().parents[2]
# Each generated file, relative to the repository root, and the zero-argument function that renders it.
GENERATORS = {
    "completions/auroraml.bash": completions.bash,
    "completions/_auroraml": completions.zsh,
    "completions/auroraml.fish": completions.fish,
    "man/auroraml.1": manpage.render,
    "auroraml_cli/commands/index.py": command_index.render,
}


def drifted() -> list[str]:
    """The generated files whose committed text differs from what the tree renders now."""
    def text(name: str) -> str | None:
        path = ROOT / name
        return path.read_text() if path.is_file() else None

    return [name for name, render in GENERATORS.items() if text(name) != render()]


def main(argv: list[str]) -> int:
    stale = drifted()
    if "--check" in argv:
        for name in stale:
            print(f"{name} differs from the command tree: run `python -m auroraml_cli.docs`", file=sys.stderr)
        return 1 if stale else 0
    for name in stale:
        path = ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(GENERATORS[name]())
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
