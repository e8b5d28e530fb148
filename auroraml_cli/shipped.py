"""The generated files shipped with auroraml (the man page, the completion scripts).

They live at the top of the repository (man/, completions/; `python tools/gen_docs.py` writes
them) and the wheel carries them inside the package as auroraml_cli/share/ (pyproject.toml's
force-include); an editable install or a checkout reads them where they are in the repository."""

from pathlib import Path


def shipped(kind: str, name: str) -> Path:
    """auroraml_cli/share/KIND/NAME in a wheel's install, else KIND/NAME in the repository."""
    package = Path(__file__).parent
    inside = package / "share" / kind / name
    return inside if inside.exists() else package.parent / kind / name
