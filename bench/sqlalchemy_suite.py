"""SQLAlchemy's dialect compliance suite against a real MariaDB and against the sandbox, side by side.

    .venv/bin/python bench/sqlalchemy_suite.py [--only SIDE] [--engine sqlite|mariadb|both] [-k EXPR] [--top 25]

`sqlalchemy.testing.suite` is what third-party dialects run to show that a database behaves as
SQLAlchemy expects of it; nobody here wrote it, so it is an independent measure of "behaves like
MySQL". Both sides run it the same way, each in its own pytest subprocess over the small
conftest in bench/sqla_compliance/ (SQLAlchemy's pytest plugin, as its README.dialects.rst
says), with mysql+pymysql, `--dburi` and SQLAlchemy's generic SuiteRequirements:

- mariadb: a throw-away server started like the tests start one (tests/support/mariadb.py: a
  temp datadir, a free port on 127.0.0.1, --no-defaults), logged in as root;
- sandbox: `auroraml sandbox`'s seeded server (moto + the layer + the clusters' SQL endpoints),
  logged in as ml-demo's master user (its managed secret, read from Secrets Manager as a user would),
  on the SQLite engine (the default);
- sandbox-mariadb: the same on `--engine mariadb` (the layer over a local MariaDB the sandbox starts).

`--engine` picks the sandbox sides (both by default).

Each side gets the databases the suite expects (`test`, `test_schema`, `test_schema_2`). The
script prints passed / failed / errors / skipped for both, then the most frequent causes of the
sandbox's failures and errors, grouped by the MySQL error code and message with names and
numbers blanked out: the list of what to fix next. Everything binds and connects to 127.0.0.1.
Numbers measured: docs/reference/sql-compat.md ("Measured: SQLAlchemy compliance suite").
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "bench" / "sqla_compliance"
DATABASES = ("test", "test_schema", "test_schema_2")
HOST = "127.0.0.1"
SIDES = ("mariadb", "sandbox", "sandbox-mariadb", "proxy")


def run_suite(uri: str, junit: Path, extra: list[str], probe: bool = False
              ) -> tuple[dict[str, int], list[tuple[str, str, str]], float]:
    """Run the suite against `uri` in a subprocess: (counts, [(test, outcome, message)], seconds)."""
    argv = [sys.executable, "-m", "pytest", "-c", str(SUITE / "setup.cfg"), str(SUITE), "-q",
            "--dburi", uri, "--requirements", "sqlalchemy.testing.requirements:SuiteRequirements",
            f"--junitxml={junit}", "-o", "junit_family=xunit1", *extra]
    began = time.monotonic()
    done = subprocess.run(argv, cwd=SUITE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
                               "SQLA_SUITE_PROBE_PAST_DESCRIBE": "1" if probe else "0"})
    seconds = time.monotonic() - began
    if not junit.exists():
        sys.exit(f"the suite did not run (exit {done.returncode}):\n{done.stdout[-4000:]}")
    return (*outcomes(junit), seconds)


def outcomes(junit: Path) -> tuple[dict[str, int], list[tuple[str, str, str]]]:
    """Counts as pytest reports them (an error in a fixture is an error, not a failure)."""
    counts = collections.Counter(passed=0, failed=0, errors=0, skipped=0)
    cases = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        # The suite names classes after the dialect and server version (ComponentReflectionTest_
        # mariadb+pymysql_10_11_19_0): drop that so both sides' names compare.
        classname = re.sub(r"_(mysql|mariadb)\+\w+?_[\d_]+$", "", case.get("classname", ""))
        name = f"{classname}::{case.get('name', '')}"
        kinds = {child.tag: child for child in case}
        # A test that fails and then errors in teardown has both: count it as pytest does, once
        # as failed; an error in teardown after a pass is an error.
        if "failure" in kinds:
            outcome, node = "failed", kinds["failure"]
        elif "error" in kinds:
            outcome, node = "errors", kinds["error"]
        elif "skipped" in kinds:
            outcome, node = "skipped", kinds["skipped"]
        else:
            outcome, node = "passed", None
        counts[outcome] += 1
        message = "" if node is None else (node.get("message") or "") + "\n" + (node.text or "")
        cases.append((name, outcome, message))
    return dict(counts), cases


# PyMySQL's args as Python shows them: (1064, "You have ...") or (1146, 'Table ...').
_MYSQL_ERROR = re.compile(r"""\((\d{4}), (?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\)""", re.S)
_BLANKS = (
    (re.compile(r"`[^`]*`"), "`?`"),
    # Quoted names and values, not quoted phrases ("doesn't yet support 'DESCRIBE ...'" keeps its kind).
    (re.compile(r"(?<![A-Za-z])'[^'\s]*'"), "'?'"),
    (re.compile(r'"[^"\s]*"'), '"?"'),
    (re.compile(r"\b\d+\b"), "N"),
    (re.compile(r"\s+"), " "),
)


def cause(message: str) -> str:
    """A failure's cause, comparable across tests: the MySQL error (code and message, names and
    numbers blanked), else the exception's first line."""
    found = _MYSQL_ERROR.findall(message)
    if found:
        code, double, single = found[-1]
        text = double or single
        for pattern, blank in _BLANKS:
            text = pattern.sub(blank, text)
        return f"{code} {text.strip()[:150]}"
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    # The exception line of a native traceback ("sqlalchemy.exc.X: ..." or "AssertionError: ...").
    for line in reversed(lines):
        if re.match(r"^[\w.]+(Error|Exception|Failed|Warning)\b", line):
            text = line
            break
    else:
        text = lines[0] if lines else "(no message)"
    for pattern, blank in _BLANKS[-2:]:
        text = pattern.sub(blank, text)
    return text[:160]


def start_mariadb():
    sys.path.insert(0, str(ROOT / "tests"))
    from support.mariadb import MariaDB

    server = MariaDB(startup_timeout=60).start()
    for name in DATABASES:
        server.query(f"CREATE DATABASE IF NOT EXISTS `{name}`")
    return server, f"mysql+pymysql://root@{HOST}:{server.port}/test?charset=utf8mb4", server.version


class _ProxyOverMariaDB:
    def __init__(self, server, proxy) -> None:
        self.server, self.proxy = server, proxy

    def stop(self) -> None:
        self.proxy.stop()
        self.server.stop()


def start_proxy():
    """The engine-choice prototype: mysql-mimic passing every statement to a real MariaDB."""
    sys.path.insert(0, str(ROOT / "bench"))
    from mimic_proxy import start_proxy as start

    server, _, version = start_mariadb()
    proxy = start(HOST, server.port)
    return (_ProxyOverMariaDB(server, proxy), f"mysql+pymysql://root@{HOST}:{proxy.port}/test?charset=utf8mb4",
            f"mysql-mimic pass-through to {version}")


def start_sandbox(engine: str = "sqlite"):
    import pymysql

    from auroraml_cli.sandbox import server

    sandbox = server.start(host=HOST, port=0, seed=True, sql_engine=engine)
    cluster = sandbox.client("rds").describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]
    secret = sandbox.client("secretsmanager").get_secret_value(SecretId=cluster["MasterUserSecret"]["SecretArn"])
    password = json.loads(secret["SecretString"])["password"]
    user, port = cluster["MasterUsername"], cluster["Port"]
    if cluster["Endpoint"] != HOST:
        sys.exit(f"the sandbox advertises {cluster['Endpoint']}, not {HOST}")
    conn = pymysql.connect(host=HOST, port=port, user=user, password=password, autocommit=True)
    with conn.cursor() as cur:
        for name in DATABASES:
            cur.execute(f"CREATE DATABASE IF NOT EXISTS `{name}`")
        cur.execute("SELECT VERSION(), AURORA_VERSION()")
        version = "%s (Aurora %s)" % cur.fetchone() + f", engine {engine}"
    conn.close()
    return sandbox, f"mysql+pymysql://{user}:{quote(password, safe='')}@{HOST}:{port}/test?charset=utf8mb4", version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=SIDES, help="run one side only")
    parser.add_argument("--proxy", action="store_true",
                        help="also run the suite through bench/mimic_proxy.py (mysql-mimic in front of MariaDB): "
                             "what the protocol layer alone loses, for the engine choice")
    parser.add_argument("--engine", choices=("sqlite", "mariadb", "both"), default="both",
                        help="the sandbox's SQL engine(s) to measure (both: one side each)")
    parser.add_argument("-k", dest="keyword", help="pytest -k expression (a subset of the suite)")
    parser.add_argument("--top", type=int, default=25, help="how many failure causes to list")
    parser.add_argument("--keep", type=Path, help="keep the junit XML files in this directory")
    parser.add_argument("--probe-past-describe", action="store_true",
                        help="an estimate: has_table reads information_schema.TABLES instead of DESCRIBE, "
                             "to see the failures behind the first blocker (not the suite as shipped)")
    args = parser.parse_args()
    extra = ["-k", args.keyword] if args.keyword else []
    out_dir = args.keep or Path(tempfile.mkdtemp(prefix="sqla-suite-"))
    out_dir.mkdir(parents=True, exist_ok=True)

    results = {}
    starts = {"mariadb": start_mariadb, "sandbox": start_sandbox,
              "sandbox-mariadb": lambda: start_sandbox("mariadb"), "proxy": start_proxy}
    engines = {"sqlite": ("sandbox",), "mariadb": ("sandbox-mariadb",)}.get(args.engine,
                                                                           ("sandbox", "sandbox-mariadb"))
    for side, start in starts.items():
        if (args.only and args.only != side) or (not args.only and side == "proxy" and not args.proxy):
            continue
        if not args.only and side.startswith("sandbox") and side not in engines:
            continue
        print(f"{side}: starting ...", file=sys.stderr)
        handle, uri, version = start()
        try:
            print(f"{side}: {version}; running the suite ...", file=sys.stderr)
            counts, cases, seconds = run_suite(uri, out_dir / f"{side}.xml", extra, args.probe_past_describe)
        finally:
            handle.stop()
        results[side] = (version, counts, cases, seconds)

    import sqlalchemy

    print(f"SQLAlchemy {sqlalchemy.__version__} compliance suite (sqlalchemy.testing.suite), mysql+pymysql, "
          "generic SuiteRequirements" + (" (PROBE: has_table via information_schema)" if args.probe_past_describe else ""))
    print(f"{'side':<15} {'passed':>7} {'failed':>7} {'errors':>7} {'skipped':>8} {'seconds':>8}  server")
    for side, (version, counts, _, seconds) in results.items():
        print(f"{side:<15} {counts['passed']:>7} {counts['failed']:>7} {counts['errors']:>7} {counts['skipped']:>8} "
              f"{seconds:>8.0f}  {version}")

    for side in ("sandbox", "sandbox-mariadb", "proxy"):
        if side not in results:
            continue
        cases = results[side][2]
        passing_elsewhere = {name for name, outcome, _ in results.get("mariadb", (None, None, []))[2]
                             if outcome == "passed"}
        bad = [(name, outcome, message) for name, outcome, message in cases if outcome in ("failed", "errors")]
        by_cause = collections.Counter(cause(message) for _, _, message in bad)
        statements: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for _, _, message in bad:
            sql = re.findall(r"\[SQL: (.*?)\]", message, re.S)
            if sql:
                statements[cause(message)][" ".join(sql[-1].split())[:110]] += 1
        print(f"\n{side}: top causes of its {len(bad)} failures and errors (tests, cause, then the statement "
              "most of them failed on):")
        for text, count in by_cause.most_common(args.top):
            print(f"{count:>6}  {text}")
            if statements[text]:
                sql, times = statements[text].most_common(1)[0]
                print(f"{'':>8}{times}x {sql}")
        if passing_elsewhere:
            regressions = sorted(name for name, _, _ in bad if name in passing_elsewhere)
            print(f"\n{len(regressions)} of them pass on MariaDB.")
    print(f"\njunit XML: {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
