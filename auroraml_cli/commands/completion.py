"""`auroraml completion`: TAB completion for bash, zsh and fish — print a script, install it, list clusters.

The scripts are static, generated from the command tree by tools/gen_docs.py and shipped in the
package (completions/ (in the wheel: auroraml_cli/share/completions/)), so a TAB press starts no Python; only `--cluster` values
come from `auroraml completion clusters`.
"""

import enum
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from ..shipped import shipped

SHELLS = ("bash", "zsh", "fish")
Shell = enum.Enum("Shell", {name: name for name in SHELLS}, type=str)  # type: ignore[misc]

app = typer.Typer(help="TAB completion for bash, zsh and fish: print the script, or install it for this user.",
                  no_args_is_help=True, epilog="""
Examples:

  auroraml completion install

  auroraml completion zsh > ~/.zfunc/_auroraml

Or, for this shell only: source <(auroraml completion bash)
""")

INSTALL_EXAMPLE = """
Examples:

  auroraml completion install

  auroraml completion install zsh
"""
CLUSTERS_EXAMPLE = """
Examples:

  auroraml completion clusters

  auroraml --profile dba --region eu-west-1 completion clusters
"""
# Where a package (bash) or a user (zsh, fish) would put each script.
PLACES = {"bash": "/etc/bash_completion.d/auroraml", "zsh": "~/.zfunc/_auroraml",
          "fish": "~/.config/fish/completions/auroraml.fish"}
HINTS = {
    "bash": "new shells load it (with bash-completion 2); in this one: source {path}",
    "zsh": "add `fpath=(~/.zfunc $fpath)` before `compinit` in ~/.zshrc, then open a new shell",
    "fish": "new fish shells load it",
}


# Each shell's script, as shipped in completions/ (in the wheel: auroraml_cli/share/completions/).
SCRIPTS = {"bash": "auroraml.bash", "zsh": "_auroraml", "fish": "auroraml.fish"}


def script(shell: str) -> str:
    """The completion script for `shell`, as generated from the command tree."""
    return shipped("completions", SCRIPTS[shell]).read_text(encoding="utf-8")


def _printer(shell: str):
    def show() -> None:
        sys.stdout.write(script(shell))

    show.__doc__ = f"Print the {shell} completion script."
    return show


def install(
    ctx: typer.Context,
    shell: Optional[Shell] = typer.Argument(None, metavar="SHELL", help="bash, zsh or fish (default: the one $SHELL names)."),
) -> None:
    """Write the completion script where the shell looks for it (for this user: no sudo)."""
    from ..core.errors import UsageError

    name = shell.value if shell else Path(os.environ.get("SHELL", "")).name
    if name not in SHELLS:
        raise UsageError(f"cannot tell the shell from $SHELL ({os.environ.get('SHELL') or 'unset'})",
                         "name it: auroraml completion install bash|zsh|fish")
    path = location(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script(name))
    ctx.obj.out.progress(f"wrote {path}")
    ctx.obj.out.progress("  next: " + HINTS[name].format(path=path))


def location(shell: str) -> Path:
    """Where each shell looks for a user's completions."""
    env, home = os.environ, Path.home()
    if shell == "bash":
        data = env.get("XDG_DATA_HOME") or home / ".local" / "share"
        return Path(env.get("BASH_COMPLETION_USER_DIR") or Path(data) / "bash-completion") / "completions" / "auroraml"
    if shell == "zsh":
        return home / ".zfunc" / "_auroraml"
    return Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "fish" / "completions" / "auroraml.fish"


def clusters(ctx: typer.Context) -> None:
    """Print the cluster ids TAB offers for --cluster, from a one-minute cache."""
    from ..core import cluster_cache

    settings = ctx.obj.settings
    ids = cluster_cache.clusters(settings.profile, settings.region)  # never raises: a TAB shows no errors
    sys.stdout.write("".join(f"{i}\n" for i in ids))


for _shell in SHELLS:
    app.command(_shell, epilog=f"\nExample:\n\n  auroraml completion {_shell} > {PLACES[_shell]}\n")(_printer(_shell))
app.command("install", epilog=INSTALL_EXAMPLE)(install)
app.command("clusters", epilog=CLUSTERS_EXAMPLE)(clusters)
