"""The command tree as plain data, read from the click command typer builds: what the
completion scripts and the man page are generated from (tools/gen_docs.py), so neither can drift
from the CLI."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Option:
    names: list[str]  # "--cluster", "-o", "--output"
    help: str
    metavar: str | None  # None: a flag
    choices: list[str] = field(default_factory=list)
    repeatable: bool = False
    completes: str | None = None  # "cluster": cluster ids; "file": paths


@dataclass
class Argument:
    name: str
    choices: list[str] = field(default_factory=list)
    required: bool = True
    repeats: bool = False


@dataclass
class Command:
    path: list[str]  # ["auroraml", "ddl", "sagemaker"]
    summary: str
    help: str
    examples: list[str]
    options: list[Option]
    arguments: list[Argument]
    panel: str | None
    subcommands: list["Command"] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)  # names of its hidden options (a deprecated alias)

    @property
    def name(self) -> str:
        return " ".join(self.path)


_ENV = re.compile(r"\s*\\?\[(?:env|default)[^\]]*\]")
_FILE_OPTIONS = {"--config", "--defaults-file", "--ssl-ca"}


def clean(text: str | None) -> str:
    """Help text without rich markup escapes."""
    return re.sub(r"\[", "[", (text or "").strip())


def _examples(epilog: str | None) -> list[str]:
    return [line.strip() for line in (epilog or "").splitlines() if line.strip().startswith("auroraml ")]


# typer 0.24+ carries its own copy of click (typer._click): classes are told apart by duck typing.
def _choices(param) -> list[str]:
    return [str(getattr(c, "value", c)) for c in getattr(param.type, "choices", None) or []]


def _option(param) -> Option:
    choices = _choices(param)
    flag = getattr(param, "is_flag", False) or getattr(param, "count", False)
    names = [*param.opts, *param.secondary_opts]
    completes = "cluster" if "--cluster" in names else ("file" if set(names) & _FILE_OPTIONS else None)
    metavar = None if flag else (param.metavar or (param.type.name.upper() if not choices else None))
    return Option(names, clean(param.help), metavar, choices, bool(getattr(param, "multiple", False)), completes)


def _command(cmd, path: list[str]) -> Command:
    options, arguments, hidden = [], [], []
    for param in cmd.params:
        if param.param_type_name == "option":
            if param.hidden:
                hidden += [*param.opts, *param.secondary_opts]
                continue
            options.append(_option(param))
        elif param.param_type_name == "argument":
            arguments.append(Argument(param.human_readable_name, _choices(param), bool(param.required),
                                      param.nargs == -1))
    options.append(Option(["-h", "--help"], "Show the help and exit.", None))
    help_text = clean(cmd.help)
    panel = getattr(cmd, "rich_help_panel", None)
    node = Command(path, help_text.split("\n")[0], help_text, _examples(cmd.epilog), options, arguments,
                   panel if isinstance(panel, str) else None, hidden=hidden)
    if hasattr(cmd, "commands"):  # get_command: the root loads its commands as they are asked for
        subs = [(name, cmd.get_command(None, name)) for name in cmd.list_commands(None)]
        node.subcommands = [_command(sub, [*path, name]) for name, sub in subs if sub is not None and not sub.hidden]
    return node


def build() -> Command:
    """The whole tree, from auroraml's root command."""
    from auroraml_cli.cli import root_command

    root = _command(root_command(), ["auroraml"])
    root.options = [o for o in root.options if not {"--install-completion", "--show-completion"} & set(o.names)]
    return root


def walk(node: Command):
    yield node
    for sub in node.subcommands:
        yield from walk(sub)
