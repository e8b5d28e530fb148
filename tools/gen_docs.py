"""`python tools/gen_docs.py [--check]`: rewrite the man page, the completion scripts and the README's
reference section from the command tree.

They are committed under man/ and completions/ and shipped in the wheel as they are: `auroraml man`
and `auroraml completion` print them, and packagers take them from there, without running anything.
`--check` lists the files that no longer match the tree and exits 1 (tests/docs does the same).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: the repository's root is where `tools` is found
    sys.path.insert(0, str(ROOT))

from tools import completions, manpage, readme_reference  # noqa: E402

SHARE = ""  # man/ and completions/ at the top of the repository; the wheel ships them as auroraml_cli/share/
# Each generated file, relative to the repository root, and the zero-argument function that renders it.
GENERATORS = {
    SHARE + "completions/auroraml.bash": completions.bash,
    SHARE + "completions/_auroraml": completions.zsh,
    SHARE + "completions/auroraml.fish": completions.fish,
    SHARE + "man/auroraml.1": manpage.render,
    "README.md": readme_reference.render,  # only its reference section is generated
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
            print(f"{name} differs from the command tree: run `python tools/gen_docs.py`", file=sys.stderr)
        return 1 if stale else 0
    for name in stale:
        path = ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(GENERATORS[name]())
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
