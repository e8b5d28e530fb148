"""The man page, auroraml(1), generated so that `man auroraml` cannot drift from the CLI.

Commands, options and examples come from the command tree (tools/tree.py), exit codes from
core/errors.EXIT_CODES, settings-file keys and AURORAML_* variables from core/settings;
tests/docs/test_manpage.py checks the shipped man/auroraml.1 against render() and renders it
with groff/man to catch roff mistakes. The output is plain man(7) macros (no tbl, no an-ext) and
pure ASCII: other characters become \\[uXXXX], and every "-" is written "\\-" so that options,
commands and model ids copy and search as typed. .TH carries no date: one would change the file
every day and fail the drift check.
"""

from __future__ import annotations

from tools import tree

# Prose for DESCRIPTION; **x** is bold. What the README says the tool does, in short.
DESCRIPTION = [
    "**auroraml** takes an Amazon Aurora MySQL cluster from \"no machine learning\" to SQL functions that "
    "call Amazon Bedrock, Amazon Comprehend and Amazon SageMaker, and to SELECT ... INTO OUTFILE S3, "
    "idempotently and with a plan you can read first (**--dry-run**).",
    "**setup** SERVICE does the AWS side, skipping each step that is already so: it checks the engine "
    "version and the region; creates a least-privilege IAM policy and a role trusted by rds.amazonaws.com "
    "(both named auroraml-SERVICE-CLUSTER and tagged auroraml:managed-by=auroraml); associates the role "
    "with the DB cluster and waits for ACTIVE; gives a cluster on a default.* parameter group its own "
    "custom DB cluster parameter group; sets the service's aws_default_*_role parameter; and, with "
    "**--reboot** and consent, reboots the writer and then each reader until every member is in-sync. "
    "Without **--reboot** it exits 7 so that a runbook can schedule the reboot. **teardown** reverses it.",
    "The database side talks SQL to the writer. **grant** and **revoke** give an account the service's "
    "role (Aurora MySQL 3) or privilege (version 2), EXECUTE on ML functions, and the role at login; "
    "**ddl** writes the functions' CREATE FUNCTION ... ALIAS statements; **export** runs "
    "SELECT ... INTO OUTFILE S3; **explain** says whether each ML function call is batched; **status** "
    "reads the Aurora_ml_* status counters (batching factor, cache hits, retries); **check** diagnoses "
    "why ML functions fail, one finding per row with the command that fixes it.",
    "**auroraml sandbox** runs a local stand-in for AWS on 127.0.0.1, seeded with Aurora clusters, so "
    "that every command can be tried without an AWS account. **auroraml completion** prints or installs "
    "TAB completion for bash, zsh and fish.",
    "Every command can be run again: after a failure, a timeout or Ctrl-C, the same command plans only "
    "what is left. With **-o json** a command prints exactly one JSON document on standard output; "
    "progress and logs go to standard error. Settings are layered: command-line option, then the "
    "AURORAML_* environment variables, then the target of the settings file (see FILES), then defaults.",
    "Each change a command makes is appended to a local change journal (see FILES) before the command "
    "reports it done, with who made it (the AWS caller, or the database account), the value before and "
    "after, and how to undo it; **history** shows it, and **history --json** exports it.",
]

# Every settings.ENV_KEYS entry needs a line here: render() fails on a new one until it has it.
SETTINGS_ENV = {
    "config": "The settings file to read, as **--config**: it must exist, and no other file is searched.",
    "target": "The [targets.NAME] table of the settings file to use, as **-t**/**--target** (instead of "
              "default_target).",
    "cluster": "DB cluster id or ARN, as **--cluster**.",
    "region": "AWS region, as **--region**; before the target's region, AWS_REGION and AWS_DEFAULT_REGION.",
    "profile": "AWS profile, as **--profile**; before the target's profile and AWS_PROFILE.",
    "output": "table, json or prometheus (status only), as **-o**/**--output**.",
    "host": "Database host, as **--host**.",
    "port": "Database port, as **--port**.",
    "user": "Database user to connect as, as **--user** (**--db-user** for check).",
    "database": "Default database, as **--database**.",
    "defaults_file": "MySQL option file, as **--defaults-file**.",
    "ssl_ca": "CA bundle for TLS, as **--ssl-ca**.",
    "defaults_extra_file": "MySQL option file read before ~/.my.cnf, as **--defaults-extra-file**.",
    "defaults_group_suffix": "Also read the option files' [clientSUFFIX], [mysqlSUFFIX] and [auroramlSUFFIX] groups, "
                             "as **--defaults-group-suffix**.",
    "login_path": "Also read the option files' [NAME] group, ~/.mylogin.cnf's too, as **--login-path**.",
    "poll_interval": "Seconds between polls while setup and teardown wait on AWS (default 5; "
                     "**auroraml sandbox** sets 0.2).",
    "connect_timeout": "Seconds each AWS call waits to connect, per attempt, as **--cli-connect-timeout** "
                       "(default 10; 0.1-3600).",
    "read_timeout": "Seconds each AWS call waits for an answer, per attempt, as **--cli-read-timeout** "
                    "(default 15; 0.1-3600). With standard retries (3 attempts) an endpoint that never "
                    "answers fails the command (exit 4) within about 45 seconds.",
}
OTHER_ENV = [
    ("AWS_PROFILE, AWS_DEFAULT_PROFILE", "The AWS profile when no option, AURORAML_PROFILE or target names "
                                         "one. Credentials always come from boto3's own chain (environment, "
                                         "shared files, SSO, instance roles); auroraml never stores keys."),
    ("AWS_REGION, AWS_DEFAULT_REGION", "The region when no option, AURORAML_REGION or target sets one "
                                       "(AWS_REGION first), before the AWS profile's region."),
    ("AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE", "The AWS config and credentials files boto3 reads "
                                                     "(default ~/.aws/config, ~/.aws/credentials); a missing "
                                                     "credential or profile error names them."),
    ("AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_RDS", "Send every AWS call (the second: RDS calls) to this endpoint "
                                               "instead, such as an **auroraml sandbox** (**sandbox run** sets "
                                               "AWS_ENDPOINT_URL for its COMMAND; **sandbox start** prints it); "
                                               "**--endpoint-url** overrides both."),
    ("AWS_RETRY_MODE", "botocore's retry mode (default standard)."),
    ("AWS_MAX_ATTEMPTS", "Attempts per AWS call (default: the retry mode's)."),
    ("NO_COLOR", "When set and not empty, no colour, as **--no-color**."),
    ("MYSQL_TEST_LOGIN_FILE", "The login-path file read instead of ~/.mylogin.cnf, as the mysql client reads it; "
                              "**auroraml sql** points it at no file for the client it opens."),
    ("XDG_CONFIG_HOME", "Where the user's settings file is looked for, and where **completion install fish** "
                        "writes (default ~/.config)."),
    ("XDG_CACHE_HOME", "Where the cluster ids that TAB completion offers for **--cluster** are cached "
                       "(default ~/.cache)."),
    ("XDG_DATA_HOME, BASH_COMPLETION_USER_DIR", "Where **completion install bash** writes (default "
                                                "~/.local/share/bash-completion)."),
    ("AURORAML_JOURNAL", "The change journal to append to and **history** to read, instead of "
                         "$XDG_STATE_HOME/auroraml/journal.jsonl (see FILES)."),
    ("XDG_STATE_HOME", "Where the change journal is kept (default ~/.local/state). **sandbox run** and "
                       "**sandbox start** point it, XDG_CACHE_HOME, AURORAML_JOURNAL and AURORAML_CONFIG at "
                       "the sandbox's own directory."),
    ("SHELL", "The shell **completion install** writes for when none is named."),
    ("HOME", "Where ~/.my.cnf, ~/.config, ~/.cache and ~/.local/state are."),
    ("AURORAML_SANDBOX_ENGINE", "The SQL engine of **sandbox start** and **sandbox run** when no **--engine** "
                                "names one: sqlite (default) or mariadb."),
    ("PATH", "Where **sandbox --engine mariadb** looks for mariadbd (or mysqld) and mariadb-install-db, "
             "before /usr/sbin, /usr/libexec, /usr/bin, /usr/local/sbin and /usr/local/bin."),
]


def esc(text: str) -> str:
    """Plain text as one roff text line; **x** becomes bold."""
    out = []
    for i, part in enumerate(text.split("**")):
        part = part.replace("\\", "\\e").replace("-", "\\-").replace("'", "\\(aq").replace("`", "\\(ga")
        part = "".join(c if 32 <= ord(c) < 127 else f"\\[u{ord(c):04X}]" for c in part)
        out.append(f"\\fB{part}\\fR" if i % 2 else part)
    line = "".join(out)
    return "\\&" + line if line.startswith((".", "'")) else line


def _bold(text: str) -> str:
    return esc(f"**{text}**")


def _metavar(opt: tree.Option) -> str:
    metavar = (opt.metavar or "").removesuffix(" RANGE")
    if metavar in ("STR", "TEXT"):  # typer's type name says nothing: the option's last word does
        metavar = "FILE" if opt.completes == "file" else max(opt.names, key=len).split("-")[-1].upper()
    return metavar


def _option(opt: tree.Option) -> list[str]:
    tag = ", ".join(_bold(n) for n in sorted(opt.names, key=lambda n: n.startswith("--")))
    if opt.choices:
        tag += " {" + "|".join(_bold(c) for c in opt.choices) + "}"
    elif opt.metavar:
        tag += f" \\fI{esc(_metavar(opt))}\\fR"
    text = opt.help
    if opt.repeatable and "repeatable" not in text.lower():
        text += " Repeatable."
    return [".TP", tag, esc(text)]


def _usage(cmd: tree.Command) -> str:
    words = [_bold(cmd.name), "[\\fIoptions\\fR]"]
    if cmd.subcommands:
        words.append("{" + "|".join(_bold(s.path[-1]) for s in cmd.subcommands) + "}")
    for arg in cmd.arguments:
        name = arg.name.upper() if arg.name.islower() else arg.name
        word = "{" + "|".join(_bold(c) for c in arg.choices) + "}" if arg.choices else f"\\fI{esc(name)}\\fR"
        word += " ..." if arg.repeats else ""
        words.append(word if arg.required else f"[{word}]")
    return " ".join(words)


def _paragraphs(text: str) -> list[str]:
    paras = [" ".join(line.strip() for line in p.splitlines() if line.strip() != "\b") for p in text.split("\n\n")]
    return [line for p in paras if p.strip() for line in (".PP", esc(p.strip()))]


def _commands(root: tree.Command) -> list[tree.Command]:
    """Every command below the root, top-level ones grouped by help panel as --help shows them."""
    panels = list(dict.fromkeys(c.panel for c in root.subcommands))
    ordered = sorted(root.subcommands, key=lambda c: panels.index(c.panel))
    return [node for top in ordered for node in tree.walk(top)]


def render() -> str:
    from auroraml_cli import __version__
    from auroraml_cli.core import errors, settings

    root = tree.build()
    commands = _commands(root)
    name_line = root.summary.rstrip(".")
    lines = [
        '.\\" Generated by tools/manpage.py from the command tree: do not edit;',
        '.\\" run `python tools/gen_docs.py` instead.',
        f'.TH AURORAML 1 "" "auroraml {esc(__version__)}" "User Commands"',
        ".nh", ".ad l",
        ".SH NAME", "auroraml \\- " + esc(name_line[:1].lower() + name_line[1:]),
        ".SH SYNOPSIS",
        "\\fBauroraml\\fR [\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR]",
    ]
    for cmd in commands:
        if not cmd.subcommands:
            lines += [".br", _usage(cmd)]
    lines += [".SH DESCRIPTION", *[x for p in DESCRIPTION for x in (".PP", esc(p))]]

    lines += [".SH GLOBAL OPTIONS", ".PP", esc("These go before the command.")]
    for opt in root.options:
        lines += _option(opt)

    lines.append(".SH COMMANDS")
    for cmd in commands:
        lines += [f'.SS "{esc(cmd.name)}"', _usage(cmd), *_paragraphs(cmd.help or cmd.summary)]
        for opt in cmd.options:
            lines += _option(opt)

    lines += [".SH ENVIRONMENT", ".PP", esc("A command-line option overrides its AURORAML_ variable, "
                                            "which overrides the same key of the settings file's target.")]
    for key in sorted(settings.ENV_KEYS):
        lines += [".TP", _bold(settings.ENV_PREFIX + key.upper()), esc(SETTINGS_ENV[key])]
    for name, text in OTHER_ENV:
        lines += [".TP", _bold(name), esc(text)]

    target_keys = ", ".join(settings._TARGET_KEYS)
    lines += [
        ".SH FILES",
        ".TP", _bold("./auroraml.toml"),
        ".PD 0",
        ".TP", _bold("$XDG_CONFIG_HOME/auroraml/config.toml") + " (default " + _bold("~/.config/auroraml/config.toml") + ")",
        ".PD",
        esc("The settings file: the first of these that exists, unless **--config** or AURORAML_CONFIG names "
            f"one. It holds default_target and [targets.NAME] tables with the keys {target_keys}; other keys "
            "are refused (exit 3). Credentials never go there: a target names a profile."),
        ".IP", ".nf",
        *[esc(line) for line in ('default_target = "prod"', "[targets.prod]", 'cluster = "orders-prod"',
                                 'region = "eu-west-1"', 'profile = "dba"')],
        ".fi",
        ".TP", _bold("~/.my.cnf"),
        esc("MySQL option file read when **--defaults-file** is not given: its [client] group (then [mysql]) "
            "gives user, password, host, port, database and ssl-ca. There is no password option: a password "
            "comes from this file, Secrets Manager (**--secret-arn** or the cluster's managed master secret), "
            "an RDS IAM token (**--iam-auth**) or a prompt on a terminal."),
        ".TP", _bold("$XDG_CACHE_HOME/auroraml/clusters-PROFILE-REGION.json") + " (default " + _bold("~/.cache/auroraml/") + ")",
        esc("The cluster ids TAB completion offers for **--cluster**, refreshed after a minute; safe to delete."),
        ".TP", _bold("$XDG_STATE_HOME/auroraml/journal.jsonl") + " (default " + _bold("~/.local/state/auroraml/journal.jsonl") + ")",
        esc("The change journal, or the file AURORAML_JOURNAL names: for each change that setup, "
            "teardown, grant, revoke, ddl **--apply** and status **--reset** make, a JSON line with status "
            "started before the write is sent and one with its outcome (done, failed) after, sharing run and "
            "step (time, run, step, command, cluster, who, where, action, target, before, after, undo, status), "
            "each appended and synced; created 0600 in a directory created 0700. When it cannot be written "
            "nothing is changed and the command exits 3. **auroraml history** reads it."),
        ".TP", _bold("$XDG_STATE_HOME/auroraml/locks/REGION.CLUSTER.lock"),
        esc("The lock setup and teardown hold on a cluster while they run (it holds the pid); a second run "
            "waits for it, up to **--timeout**. Safe to delete when no auroraml runs."),
    ]

    lines.append(".SH EXIT STATUS")
    for code, meaning in errors.EXIT_CODES:
        lines += [".TP", _bold(str(code)), esc(meaning[:1].upper() + meaning[1:] + ".")]

    lines.append(".SH EXAMPLES")
    seen: set[str] = set()
    for cmd in commands:
        examples = [e for e in cmd.examples if e not in seen]
        seen.update(examples)
        if examples:
            lines += [f'.SS "{esc(cmd.name)}"', ".nf", ".RS 4", *map(esc, examples), ".RE", ".fi"]

    lines += [".SH SEE ALSO", ".BR aws (1),", ".BR mysql (1)"]
    return "\n".join(lines) + "\n"

