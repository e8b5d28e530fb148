"""The `auroraml` command: global options, the command tree, and the one place exit codes are decided.

Importing this module must stay cheap (it runs on every TAB press): no boto3, no pymysql, no rich
at import time. Commands import what they need when they run.
"""

import copy
import sys
from collections.abc import MutableMapping
from typing import Optional

import typer
import typer.core
from typer.models import DefaultPlaceholder  # a sub-app naming no group class of its own

from . import __version__
from .app import App
from .core import errors, settings as settings_mod

# Every top-level command, in the order `auroraml --help` lists them: (name, "module:attribute"
# under auroraml_cli.commands, help panel, one-line summary). The attribute is the command's
# function, or the typer.Typer of a command group. This is click's documented lazy-loading pattern
# (LazyGroup, as hatch and others do): `--help` lists the commands from this table, and a module
# is imported only when one of its commands is run, completed or documented, so typer builds one
# command from its signature, not fifteen (command modules do not postpone their annotations:
# typer would evaluate each string twice). tests/cli/test_main.py checks each row against the
# loaded command (its panel, and its summary: the first line of the command's own help).
COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("setup", "setup:setup", "Wire up",
     "Create the IAM policy and role, associate it, set aws_default_*_role, reboot — or find it done."),
    ("teardown", "teardown:teardown", "Wire up",
     "Reset the parameters, reboot if asked, remove the association, delete the role and policy."),
    ("plan", "fleet:plan", "Desired state",
     "Read every cluster of the fleet file and show what apply would change: setup's steps, one reboot per cluster."),
    ("apply", "fleet:apply", "Desired state",
     "Make every cluster of the fleet file as it says: all of a cluster's changes, then one reboot; clusters in parallel."),
    ("state", "fleet:state", "Desired state",
     "Write what existing clusters have as a fleet file (TOML, on stdout): plan -f on it shows no changes."),
    ("iam-policy", "iam_policy:iam_policy", "Wire up",
     "Print the IAM policy document the operator needs to run auroraml (JSON, on stdout)."),
    ("grant", "grant:grant", "Grant",
     "Grant the service's role (v3) or privilege (v2), EXECUTE on functions, and activate the role at login."),
    ("revoke", "grant:revoke", "Grant",
     "Revoke what grant gave: the role or privilege, EXECUTE on functions, the default role."),
    ("ddl", "ddl:app", "Functions", "Write Aurora's ML function DDL (CREATE FUNCTION ... ALIAS): print it, or --apply it."),
    ("export", "export:export", "Functions", "Run SELECT ... INTO OUTFILE S3 (needs `setup s3` and `grant s3` first)."),
    ("explain", "explain:explain", "Functions", "Run EXPLAIN and report, per ML function call, whether it is batched."),
    ("sql", "sql:sql", "Functions",
     "Open a SQL session on the cluster in your mysql, mariadb or mycli client, or run one statement (-e)."),
    ("status", "status:status", "Watch",
     "Read the Aurora_ml_* counters on every instance: batching factor, single calls, cache hits, retries."),
    ("check", "check:check", "Diagnose",
     "Say whether Aurora ML will work on a cluster, check by check, with the fix for each failure."),
    ("history", "history:history", "Diagnose",
     "Show the change journal: each change a run made, who made it, before → after, and its undo."),
    ("sandbox", "sandbox:app", "Sandbox", "A local stand-in for AWS, seeded with realistic Aurora clusters, on 127.0.0.1."),
    ("completion", "completion:app", "Shell",
     "TAB completion for bash, zsh and fish: print the script, or install it for this user."),
    ("man", "manual:manual", "Shell", "Print the manual page (roff), or install it for this user with --install."),
)

EPILOG = "Exit codes: " + "; ".join(f"{code} {text}" for code, text in errors.EXIT_CODES) + "."


class _Interrupted(Exception):
    """Carries Ctrl-C (or SIGTERM) past typer, which would turn it into a silent Exit(130): the
    interrupt is then reported like any failure, with the step to take next."""

    def __init__(self, interrupt: KeyboardInterrupt) -> None:
        super().__init__("interrupted")
        self.interrupt = interrupt


class _HelpFormatter(typer.core.TyperGroup.context_class.formatter_class):  # type: ignore[misc,name-defined]
    """click's help formatter, with each paragraph whose lines are all indented (an example
    command, a list of commands) kept as written: click would re-flow it, breaking a command
    over lines at a narrow terminal and joining two commands into one line at a wide one."""

    def write_text(self, text: str) -> None:
        super().write_text(keep_indented_lines(text))


def keep_indented_lines(text: str) -> str:
    """`text` with click's no-rewrap mark (a `\\b` line) before each paragraph of indented lines."""
    paragraphs = text.split("\n\n")
    return "\n\n".join("\b\n" + p if p.strip() and all(line[:1].isspace() for line in p.strip("\n").splitlines())
                       else p for p in paragraphs)


class _CheckedContext(typer.core.TyperGroup.context_class):  # type: ignore[misc,name-defined]
    """Refuses, before a command (or the global options' callback) runs, any value that is not
    UTF-8: Python hands such bytes over as lone surrogates (os.fsdecode), which would otherwise
    reach a file name, SQL, an AWS call or the journal and fail there, after a change perhaps.

    Help is written at the terminal's width (COLUMNS, else the terminal's, else 80), not at
    click's 80-column cap (`max_content_width`), with examples kept one command a line."""

    def make_formatter(self):
        return _HelpFormatter(width=self.terminal_width, max_width=self.max_content_width or HELP_MAX_WIDTH)

    def invoke(self, callback, *args, **kwargs):
        for param in getattr(self.command, "params", ()):
            if (self.info_name, param.name) not in _PASSED_ON and _undecodable(self.params.get(param.name)):
                name = next((o for o in param.opts if o.startswith("--")), None) if param.param_type_name == "option" else None
                value = next(v for v in _strings(self.params[param.name]) if _undecodable(v))
                raise errors.UsageError(f"{name or param.metavar or param.human_readable_name} is not valid UTF-8: {value!r}",
                                        "retype it as UTF-8 text (check the terminal's or the script's encoding)")
        return super().invoke(callback, *args, **kwargs)


HELP_MAX_WIDTH = 10_000  # no cap of our own: help wraps where the terminal does

_PASSED_ON = {("run", "command")}  # `sandbox run -- COMMAND`: handed to the command, which checks its own


def _strings(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return [str(value)] if isinstance(value, str) or hasattr(value, "__fspath__") else []


def _undecodable(value) -> bool:
    return any(any("\udc80" <= c <= "\udcff" for c in s) for s in _strings(value))


def _once_parser(parser, ctx):
    """`parser` refusing an option that takes one value given twice: a usage error naming it
    (exit 2), where click would silently keep the last value. Every command of the tree has it
    (`_guarded`; the root through LazyGroup)."""
    parse = parser.parse_args

    def parse_args(args):
        opts, rest, order = parse(args)
        seen: set[str] = set()
        for param in order:  # one entry for each time an option was given
            if (param.param_type_name == "option" and not (param.multiple or param.count or param.is_eager)
                    and param.name in seen):
                long = next((o for o in param.opts if o.startswith("--")), param.opts[0])
                ctx.fail(f"option '{long}' was given more than once; it takes one value: give it once")
            seen.add(param.name)
        return opts, rest, order

    parser.parse_args = parse_args
    return parser


def did_you_mean(typed: str, known, prefix: str = "") -> str | None:
    """"did you mean PREFIXNAME?" for the names of `known` closest to `typed` (difflib), or None."""
    import difflib

    close = difflib.get_close_matches(typed, list(known), n=3) or difflib.get_close_matches(typed.lower(), list(known), n=3)
    return f"did you mean {' or '.join(prefix + name for name in close)}?" if close else None


def _resolve_command(group, resolve, ctx, args):
    """A group's subcommand; a name it does not have is a one-line usage error whose next step
    names the closest commands (`auroraml stauts` → did you mean `auroraml status`?)."""
    name = args[0] if args else ""
    if name and not name.startswith("-") and group.get_command(ctx, name) is None and not ctx.resilient_parsing:
        names = group.list_commands(ctx)
        hint = did_you_mean(name, names, f"{ctx.command_path} ") or f"`{ctx.command_path} -h` lists its commands"
        raise errors.UsageError(f"{ctx.command_path}: no command {name!r}", hint)
    return resolve(ctx, args)


def _choice(param):
    """`param`'s type, if it is a choice (a service, --ssl-mode, --format), made to refuse a value
    not in it with a one-line usage error naming the closest choices."""
    kind = param.type
    choices = [str(getattr(c, "value", c)) for c in getattr(kind, "choices", None) or ()]
    if not choices or getattr(kind, "_did_you_mean", False):
        return
    convert = kind.convert

    def checked(value, param_, ctx):
        try:
            return convert(value, param_, ctx)
        except typer.BadParameter:
            name = next((o for o in param.opts if o.startswith("--")), None) if param.param_type_name == "option" else param.name
            raise errors.UsageError(f"{name} {value!r} is not one of {', '.join(choices)}",
                                    did_you_mean(str(value), choices, f"{name} " if name.startswith("-") else
                                                 f"{ctx.command_path} " if ctx is not None else "")
                                    or f"give one of {', '.join(choices)}") from None

    kind.convert, kind._did_you_mean = checked, True


def _guarded(command):
    """`command` and every command below it refuse, before anything runs, what click would let
    through: a value that is not UTF-8 (`_CheckedContext`) and a one-value option given twice
    (`_once_parser`); a mistyped subcommand or choice names the closest ones. The root has these
    through LazyGroup; load_command applies this to the rest."""
    command.context_class = _CheckedContext
    if "make_parser" not in vars(command):
        make = command.make_parser
        command.make_parser = lambda ctx: _once_parser(make(ctx), ctx)
    if hasattr(command, "commands") and "resolve_command" not in vars(command):
        resolve = command.resolve_command
        command.resolve_command = lambda ctx, args: _resolve_command(command, resolve, ctx, args)
    for param in command.params:
        _choice(param)
    commands = getattr(command, "commands", {})
    if not isinstance(commands, _LazyCommands):  # those guard each command as they build it
        for sub in commands.values():
            _guarded(sub)
    return command


class _LazyCommands(MutableMapping):
    """The sub-commands of a typer sub-app (`ddl`, `sandbox`, `completion`), by name, each built
    by typer from its function's signature when first asked for: `auroraml ddl sagemaker ...`
    converts one signature, not every one of the group's. Names are listed without building
    anything; `.values()`, `.items()` and `.get()` build (the group's `--help` lists them all,
    from the built commands, so it reads exactly as typer's own group would)."""

    def __init__(self, sub_app: typer.Typer, *, pretty_exceptions_short: bool, rich_markup_mode) -> None:
        self._infos = {info.name or typer.main.get_command_name(info.callback.__name__): info
                       for info in sub_app.registered_commands}
        self._built: dict = {}
        self._settings = {"pretty_exceptions_short": pretty_exceptions_short, "rich_markup_mode": rich_markup_mode}

    def __getitem__(self, name: str):
        if name not in self._built:
            info = self._infos[name]  # KeyError: no such command
            self._built[name] = _guarded(typer.main.get_command_from_info(info, **self._settings))
        return self._built[name]

    def __setitem__(self, name: str, command) -> None:
        self._infos.setdefault(name, None)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._infos[name]
        self._built.pop(name, None)

    def __contains__(self, name: object) -> bool:  # Mapping's would build the command to find it
        return name in self._infos

    def __iter__(self):
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)


class _LazySubGroup(typer.core.TyperGroup):
    """A typer sub-app's group whose commands are a _LazyCommands: listed by name, built when used."""

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)  # typer's reads .items(), which would build every command


class LazyGroup(typer.core.TyperGroup):
    """The root: commands listed from COMMANDS and loaded from their module when asked for (click's
    LazyGroup), under their help panel, in plain text: typer's rich help costs about 70 ms of
    imports (rich, markdown-it) on every `--help`; plain click formatting nothing."""

    context_class = _CheckedContext

    def make_parser(self, ctx):
        return _once_parser(super().make_parser(ctx), ctx)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            raise _Interrupted(exc) from exc

    def resolve_command(self, ctx, args):
        return _resolve_command(self, super().resolve_command, ctx, args)

    def list_commands(self, ctx) -> list[str]:
        listed = [name for name, *_ in COMMANDS]
        return listed + [name for name in super().list_commands(ctx) if name not in listed]

    def get_command(self, ctx, name: str):
        if name not in self.commands and name in _ROWS:
            self.add_command(load_command(name), name)
        return self.commands.get(name)

    def format_commands(self, ctx, formatter) -> None:
        panels: dict[str, list[tuple[str, str]]] = {}
        for name in self.list_commands(ctx):
            if name in _ROWS:  # listed from the table, loaded or not
                _, panel, summary = _ROWS[name]
            elif (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden:
                panel, summary = getattr(cmd, "rich_help_panel", None), summary_of(cmd)
            else:
                continue
            panels.setdefault(panel if isinstance(panel, str) else "Commands", []).append((name, summary))
        for panel, rows in panels.items():
            with formatter.section(panel):
                formatter.write_dl(rows)  # a long summary wraps; it is never cut


_ROWS = {name: (target, panel, summary) for name, target, panel, summary in COMMANDS}


def summary_of(command) -> str:
    """The line `--help` lists a command with: the first line of its help."""
    return (command.short_help or command.help or "").strip().split("\n")[0]


# For the root and for each command alike. `add_completion`: `auroraml completion` installs static
# scripts, so a TAB starts no Python.
_TYPER_SETTINGS = {"rich_markup_mode": None, "pretty_exceptions_enable": False, "add_completion": False}


def load_command(name: str):
    """The click command of COMMANDS row `name`, built by typer from its module: a command's
    function is registered with its examples (`commands.examples`) as the epilog, a group's
    typer.Typer as it is."""
    import importlib

    target, panel, _ = _ROWS[name]
    module, attribute = target.split(":")
    found = getattr(importlib.import_module(f"{__package__}.commands.{module}"), attribute)
    container = typer.Typer(**_TYPER_SETTINGS)
    container.callback()(lambda: None)  # a group, so that the command keeps its name
    if isinstance(found, typer.Typer) and not found.registered_groups and isinstance(found.info.cls, DefaultPlaceholder):
        # typer builds the group itself (its help, callback and options) without its commands,
        # which _LazyCommands builds one at a time, as typer would have (get_command_from_info).
        shell = copy.copy(found)
        shell.registered_commands = []
        container.add_typer(shell, name=name, rich_help_panel=panel, cls=_LazySubGroup)
        group = typer.main.get_command(container).commands[name]
        group.commands = _LazyCommands(found, pretty_exceptions_short=container.pretty_exceptions_short,
                                       rich_markup_mode=container.rich_markup_mode)
        return _guarded(group)
    if isinstance(found, typer.Typer):
        container.add_typer(found, name=name, rich_help_panel=panel)
    else:
        container.command(name, epilog=getattr(found, "examples", None), rich_help_panel=panel)(found)
    return _guarded(typer.main.get_command(container).commands[name])



app = typer.Typer(
    name="auroraml",
    cls=LazyGroup,
    help="Wire Amazon Aurora MySQL to Bedrock, Comprehend, SageMaker and S3, idempotently, with a plan you can read first.",
    epilog=EPILOG,
    no_args_is_help=True,
    **_TYPER_SETTINGS,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _output_format(value: Optional[str]) -> Optional[str]:
    if value is not None and value not in ("table", "json", "prometheus"):
        raise typer.BadParameter(f"{value!r} is not one of table, json, prometheus (status only)")
    return value


def _seconds(ctx, param, value: Optional[str]) -> Optional[float]:
    """--cli-connect-timeout / --cli-read-timeout: checked as AURORAML_*_TIMEOUT is, but exit 2."""
    if value is None:
        return None
    try:
        return settings_mod.number(param.name, value, param.opts[0])
    except errors.ConfigError as exc:
        raise typer.BadParameter("must be " + exc.message.split(" must be ", 1)[-1]) from None


def _query(value: Optional[str]) -> Optional[str]:
    """--query: compiled as it is read (core/query.py), so a bad expression is exit 2 before the
    command runs; jmespath is imported only then."""
    if value is not None:
        from .core import query

        query.compile(value)
    return value


# Commands whose output is no JSON document (a script, a page, `export` lines, another command's
# output): --query given to them is refused rather than silently ignored.
NO_JSON = ("sandbox", "completion", "man")


def _endpoint_url(value: Optional[str]) -> Optional[str]:
    """--endpoint-url: an http(s) URL with a host, refused (exit 2, one line) before any call."""
    if value is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not 0-65535
        good = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.username is None
    except ValueError:
        good = False
    if not good or not value.isprintable() or " " in value:
        raise errors.UsageError(f"--endpoint-url {value!r} is not an http:// or https:// URL with a host (and no user or password)",
                                "give it as https://HOST[:PORT], e.g. --endpoint-url http://127.0.0.1:5000 for a sandbox")
    return value


def _version(value: bool) -> None:
    if value:
        typer.echo(f"auroraml {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    profile: Optional[str] = typer.Option(None, "--profile", help="AWS profile (AWS_PROFILE works; otherwise boto3's own credential chain).", envvar=None),
    region: Optional[str] = typer.Option(None, "--region", help="AWS region (AURORAML_REGION, the target's region, then AWS_REGION, AWS_DEFAULT_REGION, the AWS profile's)."),
    output: Optional[str] = typer.Option(None, "-o", "--output", help="table (default on a terminal) or json (default otherwise): one JSON document on stdout. [env: AURORAML_OUTPUT]", metavar="table|json|prometheus", callback=_output_format),
    config: Optional[str] = typer.Option(None, "--config", help="TOML settings file. [env: AURORAML_CONFIG; default ./auroraml.toml, then ~/.config/auroraml/config.toml]"),
    target: Optional[str] = typer.Option(None, "-t", "--target", help="Named [targets.NAME] section of the settings file. [env: AURORAML_TARGET]"),
    endpoint_url: Optional[str] = typer.Option(None, "--endpoint-url", metavar="URL", callback=_endpoint_url, help="Send every AWS call to URL, such as a sandbox's http://127.0.0.1:5000. [env: AWS_ENDPOINT_URL, as boto3 reads it]"),
    connect_timeout: Optional[str] = typer.Option(None, "--cli-connect-timeout", metavar="SECONDS", callback=_seconds, help="Seconds each AWS call waits to connect, per attempt (default 10). [env: AURORAML_CONNECT_TIMEOUT]"),
    read_timeout: Optional[str] = typer.Option(None, "--cli-read-timeout", metavar="SECONDS", callback=_seconds, help="Seconds each AWS call waits for an answer, per attempt (default 15). [env: AURORAML_READ_TIMEOUT]"),
    verbose: int = typer.Option(0, "-v", "--verbose", count=True, show_default=False, help="More detail on stderr (-vv: every AWS API call)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Only the payload and errors."),
    no_color: bool = typer.Option(False, "--no-color", help="No colour (NO_COLOR works too)."),
    query: Optional[str] = typer.Option(None, "--query", metavar="JMESPATH", callback=_query, help="Print only what this JMESPath expression selects from the JSON output, as the AWS CLI's --query does (implies -o json)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    if query is not None:
        _query_applies(ctx, output)
        output = "json"
    flags = settings_mod.Flags(profile=profile, region=region, output=output, config_path=config, target=target,
                               connect_timeout=connect_timeout, read_timeout=read_timeout,
                               verbose=verbose, quiet=quiet, color=not no_color)
    settings = settings_mod.resolve(flags)
    settings.endpoint_url = endpoint_url  # a flag only: AWS_ENDPOINT_URL is botocore's own variable
    if settings.output == "prometheus" and ctx.invoked_subcommand not in (None, "status"):
        # Refused before the command runs: a mutating command must not act and then fail to print.
        raise typer.BadParameter("prometheus output is for `auroraml status` only", param_hint="'-o'")
    _configure_logging(settings.verbose)
    ctx.obj = App(settings, query=query and _compiled(query))


def _query_applies(ctx, output: Optional[str]) -> None:
    """--query filters JSON: with -o table or prometheus on the command line, or a command that
    prints no JSON, it is refused (exit 2) before the command runs, never silently dropped."""
    if output in ("table", "prometheus"):
        raise errors.UsageError(f"--query filters JSON output; -o {output} prints none",
                                f"drop -o {output}: --query implies -o json")
    if ctx.invoked_subcommand in NO_JSON:
        raise errors.UsageError(f"--query filters JSON output; `auroraml {ctx.invoked_subcommand}` prints none",
                                "drop --query")


def _compiled(text: str):
    from .core import query

    return query.compile(text)  # jmespath keeps what it compiled: _query's work is not repeated


def _configure_logging(verbose: int) -> None:
    """-v: info, -vv: debug (every AWS call) on stderr. Quiet by default, and set per run so that
    one run's level never leaks into the next when the CLI is run in-process (tests). `logging`
    costs about 12 ms to import: a quiet run that has not loaded it leaves it alone."""
    if not verbose and "logging" not in sys.modules:
        return
    import logging

    logger = logging.getLogger("auroraml")
    for handler in [h for h in logger.handlers if getattr(h, "auroraml_stderr", False)]:
        logger.removeHandler(handler)
    if not verbose:
        logger.setLevel(logging.NOTSET)
        return
    logger.setLevel(logging.INFO if verbose == 1 else logging.DEBUG)
    handler = _stderr_handler(logging)
    handler.setFormatter(_RedactingFormatter(logging)("%(name)s: %(message)s"))
    logger.addHandler(handler)


def _RedactingFormatter(logging):
    class RedactingFormatter(logging.Formatter):
        """No password or IAM token in a log line, whoever logged it (errors.redact)."""

        def format(self, record) -> str:
            from .core.output import printable  # a logged value cannot drive the terminal either

            return printable(errors.redact(super().format(record)))

    return RedactingFormatter


def _stderr_handler(logging):
    class StderrHandler(logging.StreamHandler):
        """Writes to whatever sys.stderr is at the time of the record (tests swap it)."""

        auroraml_stderr = True

        @property  # type: ignore[override]
        def stream(self):
            return sys.stderr

        @stream.setter
        def stream(self, _value) -> None:
            pass

    return StderrHandler()


def root_command():
    """auroraml's click group: the global options; commands load as they are asked for."""
    return typer.main.get_command(app)


def global_options_first(root, args: list[str]) -> list[str]:
    """`args` with the global options typed after the command moved before it, where click looks
    for them: `auroraml setup bedrock --cluster X -o json --region us-east-1` as AWS CLI users type
    it runs as `auroraml -o json --region us-east-1 setup bedrock --cluster X`.

    The rule, token by token after the command's name (and a group's subcommand's name), as
    click itself reads them: an option the command defines is the command's and stays, with its
    value even when that value looks like an option (`export --query` is export's; `check
    --region` is check's); a global option the command does not define moves, with its value,
    in the order typed, to just before the command (so one given before and after is still
    "given more than once"); anything else stays where it is. Nothing is moved from `--` on,
    nor past the first argument of a command that takes its options before its arguments only
    (`sandbox run COMMAND...`): what follows is another command's. Eager options (--version,
    --help) are never moved."""
    globals_ = _arities(p for p in root.params if not p.is_eager)
    start = 0
    while start < len(args) and args[start].startswith("-") and args[start] != "-":
        if args[start] == "--":
            return args
        start += 1 + (_arity(args[start], globals_) or 0)
    if start >= len(args):
        return args
    ctx = typer.Context(root, info_name="auroraml")  # get_command reads no more than its table
    command = root.get_command(ctx, args[start])
    if command is None:
        return args
    own = _arities(command.params)
    moved: list[str] = []
    kept: list[str] = []
    tail = args[start + 1:]
    i = 0
    while i < len(tail):
        token = tail[i]
        if token == "--":
            kept += tail[i:]
            break
        if token.startswith("-") and token != "-":
            mine, theirs = _arity(token, own), _arity(token, globals_)
            if mine is None and theirs is not None:
                moved += tail[i:i + 1 + theirs]
                i += 1 + theirs
            else:  # the command's, or unknown to both (click will say so)
                kept += tail[i:i + 1 + (mine or 0)]
                i += 1 + (mine or 0)
            continue
        kept.append(token)
        i += 1
        if hasattr(command, "commands"):  # a group: the token names its subcommand
            command = command.get_command(ctx, token)
            if command is None:
                kept += tail[i:]
                break
            own.update(_arities(command.params))
        elif not command.context_settings.get("allow_interspersed_args", command.allow_interspersed_args):
            kept += tail[i:]
            break
    return args[:start] + moved + [args[start]] + kept


def _arities(params) -> dict[str, int]:
    """Each option name of `params` → how many values follow it (0 for a flag)."""
    table = {}
    for param in params:
        if param.param_type_name == "option":
            count = 0 if (param.is_flag or param.count) else param.nargs
            table.update({name: count for name in (*param.opts, *param.secondary_opts)})
    return table


def _arity(token: str, table: dict[str, int]) -> int | None:
    """How many further arguments `token` takes as an option of `table`, or None if not one of its
    options: `--name=value` and `-xVALUE` carry their value, `-vv` is -v twice."""
    if token in table:
        return table[token]
    if token.startswith("--"):
        return 0 if token.split("=", 1)[0] in table else None
    if len(token) > 2 and token[:2] in table:
        return 0  # a short option with its value attached, or short flags together
    return None


def _click_exception(exc: BaseException) -> bool:
    return any(k.__name__ in ("ClickException", "Abort", "Exit") for k in type(exc).__mro__)


def main() -> None:
    """The console script."""
    _terminate_like_ctrl_c()
    sys.exit(run())


Terminated = errors.Terminated  # SIGTERM's KeyboardInterrupt; errors.describe gives it exit 143


def _terminate_like_ctrl_c() -> None:
    """SIGTERM (kill, a CI job cancelled, systemd or Kubernetes stopping a runbook) takes Ctrl-C's
    path instead of ending the process on the spot: the step under way is marked interrupted,
    the plan is printed, and the same command resumes. The exit code is 143 (128 + SIGTERM, as a
    shell reports a process SIGTERM ended; Ctrl-C's is 130), so a runbook can tell the two apart.
    A second SIGTERM ends the process at once. Only the console script installs it (signal
    handlers belong to the main thread of the process, not to an in-process run())."""
    import signal

    def handler(signum, frame) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated

    try:
        signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError, AttributeError):  # not the main thread, or a platform without SIGTERM
        pass


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; every exit code the process returns is decided here."""
    command = root_command()
    errors.forget_secrets()
    try:
        args = global_options_first(command, list(sys.argv[1:] if argv is None else argv))
        result = command.main(args=args, prog_name="auroraml", standalone_mode=False)
    except BaseException as exc:  # noqa: BLE001 - this is the one place failures become exit codes
        return _failure(exc)
    return result if isinstance(result, int) else errors.EXIT_OK


def _failure(exc: BaseException) -> int:
    if isinstance(exc, _Interrupted):
        exc = exc.interrupt
    if isinstance(exc, SystemExit):
        code = exc.code if isinstance(exc.code, int) else errors.EXIT_OK
    elif _click_exception(exc):
        name = type(exc).__name__
        if name == "Exit":
            code = exc.exit_code  # type: ignore[attr-defined]
        elif name == "Abort":
            sys.stderr.write("Aborted.\n")
            code = errors.EXIT_INTERRUPTED
        else:
            _show_click_error(exc)
            code = errors.EXIT_USAGE if getattr(exc, "exit_code", 2) == 2 else exc.exit_code  # type: ignore[attr-defined]
    else:
        code, message, hint = errors.describe(exc)
        _print_error(message, hint)
        import logging

        if logging.getLogger("auroraml").isEnabledFor(logging.DEBUG) and not isinstance(exc, errors.AuroraMLError):
            import traceback

            # Scrubbed like the error line: a driver may have put a password in an exception's args.
            from .core.output import printable

            sys.stderr.write(printable(errors.redact("".join(traceback.format_exception(exc)))))
    return code


def _print_error(message: str, hint: str | None) -> None:
    from .core.output import printable  # a value quoted in the cause cannot drive the terminal

    sys.stderr.write(f"error: {printable(message, one_line=True)}\n")
    if hint:
        sys.stderr.write(f"  next: {printable(hint, one_line=True)}\n")


def _show_click_error(exc) -> None:
    """click's usage error (it quotes what was typed), with control characters escaped."""
    import io

    from .core.output import printable

    shown = io.StringIO()
    exc.show(file=shown)
    sys.stderr.write(printable(shown.getvalue()))
