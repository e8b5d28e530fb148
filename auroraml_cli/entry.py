"""The console script's entry point: answers `auroraml --version` before loading the CLI.

Loading the command tree (typer, click, every command's options) costs about 60 ms; printing the
version needs none of it. Everything else goes to cli.main, where exit codes are decided.
"""

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from . import __version__

        sys.stdout.write(f"auroraml {__version__}\n")
        sys.exit(0)
    from .cli import main as cli_main

    cli_main()
