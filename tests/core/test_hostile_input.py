"""Hostile input (issue 7, part 3): whatever a user types is refused before anything changes — one
`error:` line, one `next:` hint, exit 2 (usage) or 3 (configuration), no AWS call
(`Result.assert_refused`), nothing on stdout, no control character that could rewrite a terminal —
or handled safely: quoted exactly into SQL, or answered by reads only (`Result.writes == []`).

Every command and option of the command tree (tools/tree.py) is fed hostile values offline, so a
new one is covered without a new test: the answer is a documented exit code, never 70 (bug).
Property-based (hypothesis) where the input is a language; each family below names its tests and
its example count, so the README can quote them. The real-MariaDB proof that grant and revoke
change only the intended account, for hostile user and host names, is
tests/db/test_hostile_accounts.py; the names' own validators are unit-tested in test_names.py and
test_sql.py.
"""

from __future__ import annotations

import json
import os
import re
import string
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from auroraml_cli.core import names, settings as settings_mod
from auroraml_cli.core.names import POLICY_NAME_MAX, ROLE_NAME_MAX
from auroraml_cli.core.sql import HOST_MAX, MYSQL_USER_MAX, Account, ident

EXAMPLES = 30  # hypothesis examples per property; each runs the CLI in-process (a few ms offline)
AWS_EXAMPLES = 4  # per property that reads the in-process sandbox (~0.3 s a run)
# Command lines drawn from the whole command tree; AURORAML_HOSTILE_EXAMPLES=3000 for a long hunt.
COMMAND_EXAMPLES = int(os.environ.get("AURORAML_HOSTILE_EXAMPLES", 150))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=AWS_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# family -> (its tests in this module, hypothesis examples per property test; 0: example-based)
HOSTILE_FAMILIES: dict[str, tuple[tuple[str, ...], int]] = {
    "cluster ids and cluster ARNs (every partition, other accounts)": (
        ("test_a_malformed_cluster_id_or_arn_is_refused_by_every_command", "test_cluster_arns_of_other_partitions_and_accounts"),
        EXAMPLES),
    "IAM role and policy names at and past IAM's limits and character set": (
        ("test_iam_names_are_accepted_exactly_as_iam_would", "test_iam_names_at_the_limit_reach_the_plan"), EXAMPLES),
    "database accounts USER@HOST: quotes, backticks, %, _, NUL, unicode, over-long": (
        ("test_grant_and_revoke_quote_any_account_exactly_or_refuse_it", "test_check_refuses_an_unreadable_account"), EXAMPLES),
    "function, database and argument names: reserved words and hostile identifiers": (
        ("test_ddl_backticks_reserved_and_hostile_names", "test_grant_function_names_are_backticked"), EXAMPLES),
    "Bedrock model ids and SageMaker endpoints that do not exist": (
        ("test_models_and_endpoints_that_do_not_exist_are_refused_before_any_write",
         "test_malformed_model_ids_and_endpoints_are_refused_unread"), AWS_EXAMPLES),
    "Secrets Manager ARNs: other partitions and regions, not a secret, malformed": (
        ("test_secret_arns_are_read_in_their_region_or_refused_unread",), 0),
    "settings files: malformed TOML, wrong types and ranges, unknown targets": (
        ("test_any_settings_file_is_used_or_refused_as_a_config_error", "test_an_unknown_target_is_refused_by_name"),
        EXAMPLES),
    "MySQL option files: garbage, not UTF-8": (("test_any_option_file_is_used_or_refused",), EXAMPLES),
    "SQL types of ddl --arg/--returns: sizes past MySQL's limits, huge numbers, malformed text": (
        ("test_any_type_text_is_used_or_refused_with_exit_2", "test_type_sizes_are_used_within_mysqls_limits_only"),
        EXAMPLES),
    "look-alikes: other scripts' digits, letters that case-fold to ASCII": (
        ("test_look_alike_characters_are_refused", "test_an_option_file_port_in_other_digits_is_ignored"), 0),
    "arguments that are not UTF-8 (names, ids, file paths, global options)": (
        ("test_an_argument_that_is_not_utf8_is_refused_naming_it",), 0),
    "every option and argument of every command in the tree (offline): a documented exit, never 70": (
        ("test_hostile_values_for_every_option_of_every_command_get_a_documented_exit",
         "test_every_command_of_the_tree_is_fed_or_named_with_a_reason", "test_a_file_name_too_long_is_a_config_error"),
        COMMAND_EXAMPLES),
    "terminal control characters in arguments, shown in tables, errors and usage errors": (
        ("test_control_characters_from_arguments_are_escaped_in_tables_and_errors",), 0),
}


def test_the_families_name_real_tests():
    here = sys.modules[__name__]
    for family, (tests, _) in HOSTILE_FAMILIES.items():
        for name in tests:
            assert callable(getattr(here, name, None)), (family, name)


CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\x1b]")


def refused(r, code: int = 2) -> None:
    """The one shape of a refusal, and no terminal control characters echoed back."""
    assert r.code == code, (r.code, r.stderr)
    r.assert_refused()
    assert not CONTROL.search(r.stderr), repr(r.stderr)


@pytest.fixture
def no_aws(monkeypatch):
    """Offline tests: an AWS call would go to a closed port and fail at once (and be counted)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


@pytest.fixture
def aws(isolated):
    """The in-process sandbox (as tests/cli's sandbox_aws): moto, the Aurora layer, the seed."""
    from moto import mock_aws

    from auroraml_cli.sandbox import layer, seed

    fast = {"association_delay": 0.02, "reboot_duration": 0.02, "iam_propagation_delay": 0.0}
    layer.install()
    layer.configure(**fast)
    with mock_aws():
        import boto3

        seed.seed(boto3.session.Session(region_name="us-east-1"))
        yield lambda service, region="us-east-1": boto3.client(service, region_name=region)
    layer.configure(**fast)


# Characters that break naive quoting, wildcards, shells and terminals, and some that are not ASCII.
HOSTILE = "'\"`\\%_@;:,./*?$#!-+= \t\n\r\x1b\x7f\u00e9\u20ac\u0130\u200b\u202e\U0001f600"
hostile_text = st.text(alphabet=st.sampled_from(list(HOSTILE + "aZ09")), max_size=80)


# --- cluster ids and ARNs ----------------------------------------------------------------------------

def _rds_cluster_id(text: str) -> bool:
    return (1 <= len(text) <= 63 and text[:1].isascii() and text[:1].isalpha()
            and all(c.isascii() and (c.isalnum() or c == "-") for c in text) and not text.endswith("-") and "--" not in text)


# Each way --cluster is read: App.cluster (check; setup, teardown), the writer endpoint (grant,
# revoke, ddl --apply, export, explain), the instance endpoints (status).
CLUSTER_COMMANDS = (
    ("check", "--no-database", "--cluster"),
    ("status", "--cluster"),
    ("grant", "comprehend", "analyst", "--cluster"),
)


@FAST
@given(text=st.one_of(hostile_text, hostile_text.map(lambda t: "arn:aws:rds:us-east-1:123456789012:cluster:" + t)))
@example(text="a" * 64)
@example(text="ml-demo-")
@example(text="arn:aws:rds::123456789012:cluster:ml-demo")  # no region
@example(text="arn:aws:rds:us-east-1::cluster:ml-demo")  # no account
@example(text="arn:aws-cn:rds:cn-north-1:123456789012:db:ml-demo-1")  # an instance
def test_a_malformed_cluster_id_or_arn_is_refused_by_every_command(cli, no_aws, text):
    try:
        names.cluster_ref(text)
        return  # well-formed: the commands would read AWS (see the next test)
    except Exception:
        pass
    ident_part = text.rsplit(":", 1)[-1] if text.startswith("arn:") else text
    assert not (_rds_cluster_id(ident_part) and not text.startswith("arn:"))
    for command in CLUSTER_COMMANDS:
        refused(cli(*command, text, code=None))


CLUSTER_ARNS = [
    ("arn:aws-cn:rds:cn-north-1:123456789012:cluster:ml-demo", "no DB cluster 'ml-demo' in cn-north-1"),
    ("arn:aws-us-gov:rds:us-gov-west-1:123456789012:cluster:ml-demo", "no DB cluster 'ml-demo' in us-gov-west-1"),
    # A region of another partition, or another account: RDS finds `ml-demo` here by its id, but
    # it is not the cluster the ARN names.
    ("arn:aws-us-gov:rds:us-east-1:123456789012:cluster:ml-demo", "account 123456789012 (aws-us-gov)"),
    ("arn:aws:rds:us-east-1:999999999999:cluster:ml-demo", "account 999999999999 (aws)"),
]


def test_cluster_arns_of_other_partitions_and_accounts(cli, aws):
    for i, (arn, says) in enumerate(CLUSTER_ARNS):
        for command in (("setup", "comprehend", "--dry-run"), ("check", "--no-database"))[: 1 + i % 2]:
            r = cli(*command, "--cluster", arn, code=2)
            assert says in r.stderr and r.writes == [], (command, r.calls)
            assert r.stderr.splitlines()[-2].startswith("error: ") and r.stderr.splitlines()[-1].startswith("  next: ")
    ok = cli("-o", "json", "setup", "comprehend", "--dry-run", "--cluster", "arn:aws:rds:us-east-1:123456789012:cluster:ml-demo")
    assert ok.json()["partition"] == "aws" and ok.writes == []


# --- IAM names ---------------------------------------------------------------------------------------

def _iam_name(text: str, limit: int) -> bool:
    return 1 <= len(text) <= limit and all(c in string.ascii_letters + string.digits + "+=,.@_-" for c in text)


iam_text = st.one_of(
    st.text(alphabet=st.sampled_from(list(string.ascii_letters + string.digits + "+=,.@_-")), min_size=60, max_size=132),
    st.text(alphabet=st.sampled_from(list(HOSTILE + "aZ09+=,.@_-")), max_size=140),
)


@FAST
@given(role=iam_text, policy=iam_text)
@example(role="r" * (ROLE_NAME_MAX + 1), policy="p")
@example(role="r", policy="p" * (POLICY_NAME_MAX + 1))
@example(role="", policy="p")
def test_iam_names_are_accepted_exactly_as_iam_would(cli, no_aws, role, policy):
    role_ok, policy_ok = _iam_name(role, ROLE_NAME_MAX), _iam_name(policy, POLICY_NAME_MAX)
    for kind, text, limit, ok in (("role", role, ROLE_NAME_MAX, role_ok), ("policy", policy, POLICY_NAME_MAX, policy_ok)):
        if ok:
            assert names.iam_name(text, kind, limit) == text
    if role_ok and policy_ok:
        return  # both fine: setup would go on to read AWS (at the limit: the next test)
    if role == "" or policy == "":  # an empty option means "the default name"
        return
    r = cli("setup", "comprehend", "--cluster", "ml-demo", "--role-name", role, "--policy-name", policy, "--dry-run", code=None)
    refused(r)  # teardown reads them through the same names.iam_name
    assert f"IAM {'role' if not role_ok else 'policy'} name" in r.stderr


def test_iam_names_at_the_limit_reach_the_plan(cli, aws):
    role, policy = "R+=,.@_-" * 8, "P+=,.@_-" * 16
    assert (len(role), len(policy)) == (ROLE_NAME_MAX, POLICY_NAME_MAX)
    r = cli("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--role-name", role, "--policy-name", policy, "--dry-run")
    targets = {s["action"]: s["target"] for s in r.json()["steps"]}
    assert targets["create-role"] == role and targets["create-policy"] == policy and r.writes == []
    for too_long in (("--role-name", role + "x"), ("--policy-name", policy + "x")):
        refused(cli("setup", "comprehend", "--cluster", "ml-demo", *too_long, "--dry-run", code=2))


# --- database accounts -------------------------------------------------------------------------------

account_part = st.text(alphabet=st.sampled_from(list(HOSTILE.replace("\U0001f600", "") + "aZ09")), min_size=1, max_size=40)


def _typed(user: str, host: str) -> str:
    """How a user would type the account at a shell: 'it''s'@'10.0.%'."""
    return "'" + user.replace("'", "''") + "'@'" + host.replace("'", "''") + "'"


@FAST
@given(user=account_part, host=account_part, verb=st.sampled_from(["grant", "revoke"]))
@example(user="u" * MYSQL_USER_MAX, host="%", verb="grant")
@example(user="u" * (MYSQL_USER_MAX + 1), host="%", verb="grant")
@example(user="a`b", host="h" * (HOST_MAX + 1), verb="revoke")
@example(user="x\x00y", host="%", verb="grant")
@example(user="'; DROP USER root; --", host="%' OR '1'='1", verb="grant")
def test_grant_and_revoke_quote_any_account_exactly_or_refuse_it(cli, no_aws, user, host, verb):
    r = cli("-o", "json", verb, "comprehend", _typed(user, host), "--function", "mldb.churn_score",
            "--aurora-version", "3.08.0", "--dry-run", code=None)
    if "\x00" in user + host or "@" in host or len(user) > MYSQL_USER_MAX or len(host) > HOST_MAX:
        refused(r)
        return
    assert r.code == 0, r.stderr
    a = Account(user, host).sql()  # `user`@`host`, inner backticks doubled: nothing else can close it
    expected = {
        "grant": [f"GRANT `AWS_COMPREHEND_ACCESS` TO {a}", f"GRANT EXECUTE ON FUNCTION `mldb`.`churn_score` TO {a}",
                  f"SET DEFAULT ROLE `AWS_COMPREHEND_ACCESS` TO {a}"],
        "revoke": [f"REVOKE `AWS_COMPREHEND_ACCESS` FROM {a}", f"REVOKE EXECUTE ON FUNCTION `mldb`.`churn_score` FROM {a}",
                   f"SET DEFAULT ROLE NONE TO {a}"],
    }
    assert [s["detail"] for s in r.json()["steps"]] == expected[verb] and r.calls == []
    assert json.loads(r.stdout)["account"] == f"{user}@{host}"


@FAST
@given(text=hostile_text)
@example(text="'unbalanced")
@example(text="'a'x")
@example(text="a@'h'x")
@example(text="u" * 33)
def test_check_refuses_an_unreadable_account(cli, no_aws, text):
    try:
        Account.parse(text, MYSQL_USER_MAX).checked()
        return  # readable: check would go on to AWS
    except Exception:
        pass
    refused(cli("check", "--cluster", "ml-demo", "--user", text, code=None))
    refused(cli("grant", "comprehend", "--aurora-version", "3.08.0", "--dry-run", "--", text, code=None))


# --- reserved words and hostile identifiers ----------------------------------------------------------

RESERVED = ("accept", "content_type", "timeout_ms", "aws_sagemaker_invoke_endpoint", "select", "from", "where",
            "order", "group", "groups", "key", "index", "table", "function", "database", "schema", "window", "rank",
            "lead", "system", "rows", "of", "user", "role", "default", "returns", "alias", "endpoint", "name", "model")
identifier = st.one_of(st.sampled_from(RESERVED),
                       st.text(alphabet=st.sampled_from(list("`'\" ;-é€aZ0_")), min_size=1, max_size=64))


@FAST
@given(schema=identifier.filter(lambda s: "." not in s and not s.endswith(" ")),
       name=identifier.filter(lambda s: not s.endswith(" ")),  # MySQL refuses those (1458)
       arg=identifier.filter(lambda a: ":" not in a))
@example(schema="accept", name="timeout_ms", arg="content_type")
def test_ddl_backticks_reserved_and_hostile_names(cli, no_aws, schema, name, arg):
    r = cli("ddl", "sagemaker", "--endpoint", "churn-predictor", "--arg", f"{arg}:INT", "--returns", "DOUBLE",
            "--aurora-version", "3.06.0", "--", f"{schema}.{name}")  # after --: a name may start with -
    head = r.stdout.splitlines()[0]
    assert head == f"CREATE FUNCTION {ident(schema)}.{ident(name)} ({ident(arg)} INT) RETURNS DOUBLE", head
    assert r.calls == []


@pytest.mark.parametrize("bad", ["a" * 65 + ".f", "s." + "f" * 65, ".f", "s.", "s\x00.f", "s.f ", "s .f", "s.\U0001F600"])
def test_ddl_refuses_unusable_names(cli, no_aws, bad):
    refused(cli("ddl", "sagemaker", bad, "--endpoint", "e", "--arg", "x:INT", "--returns", "DOUBLE",
                "--aurora-version", "3.06.0", code=2))


@FAST
@given(schema=identifier.filter(lambda s: "." not in s), name=identifier)
def test_grant_function_names_are_backticked(cli, no_aws, schema, name):
    r = cli("-o", "json", "grant", "sagemaker", "app", "--function", f"{schema}.{name}", "--aurora-version", "3.08.0", "--dry-run")
    execute = [s["detail"] for s in r.json()["steps"] if s["action"] == "grant-execute"]
    assert execute == [f"GRANT EXECUTE ON FUNCTION {ident(schema)}.{ident(name)} TO `app`@`%`"]


# --- SQL types -----------------------------------------------------------------------------------------

TYPE_NAMES = ("TINYINT", "INT", "BIGINT", "DECIMAL", "NUMERIC", "FLOAT", "DOUBLE", "REAL", "BOOLEAN", "BIT", "CHAR",
              "VARCHAR", "TEXT", "LONGTEXT", "JSON", "BLOB", "DATE", "DATETIME", "TIMESTAMP", "GEOMETRY", "varchar")
sizes = st.one_of(st.integers(0, 300), st.integers(0, 10**40), st.sampled_from([16383, 16384, 65535, 2**32, 2**64]))
type_texts = st.builds(
    lambda base, numbers, tail: base + ("(" + ",".join(map(str, numbers)) + ")" if numbers else "") + tail,
    st.sampled_from(TYPE_NAMES), st.lists(sizes, max_size=3),
    st.sampled_from(["", " UNSIGNED", " CHARSET utf8mb4", " CHARACTER SET latin1", " ZEROFILL"]))
DDL_TYPE = ("ddl", "sagemaker", "s.f", "--endpoint", "e", "--aurora-version", "3.06.0")


def _used_or_refused(r) -> None:
    """Printed as one CREATE FUNCTION (exit 0), or refused (exit 2): never a crash (exit 70)."""
    if r.code == 0:
        assert r.stdout.startswith("CREATE FUNCTION `s`.`f` (") and r.calls == []
    else:
        refused(r)


@FAST
@given(text=st.one_of(type_texts, st.text(min_size=0, max_size=40),
                      st.text(alphabet=st.sampled_from(list("(),0123456789 ABCDEFINTRUXchar\x00`'")), max_size=30)))
@example(text="DECIMAL(70,2)")
@example(text="VARCHAR(99999999999999999999999999999999)")
@example(text="CHAR(256)")
def test_any_type_text_is_used_or_refused_with_exit_2(cli, no_aws, text):
    _used_or_refused(cli(*DDL_TYPE, "--arg", f"x:{text}", "--returns", "DOUBLE", code=None))
    _used_or_refused(cli(*DDL_TYPE, "--arg", "x:INT", "--returns", text, code=None))


@FAST
@given(base=st.sampled_from(["DECIMAL", "NUMERIC", "CHAR", "VARCHAR"]), m=sizes, d=st.one_of(st.none(), sizes))
@example(base="DECIMAL", m=70, d=2)
@example(base="DECIMAL", m=65, d=30)
@example(base="VARCHAR", m=16384, d=None)
def test_type_sizes_are_used_within_mysqls_limits_only(cli, no_aws, base, m, d):
    text = f"{base}({m}" + (f",{d})" if d is not None else ")")
    r = cli(*DDL_TYPE, "--arg", f"x:{text}", "--returns", "DOUBLE", code=None)
    if base in ("DECIMAL", "NUMERIC"):
        within = m <= 65 and (d is None or (d <= 30 and d <= m))
    else:
        within = d is None and m <= (255 if base == "CHAR" else 16383)
    assert r.code == (0 if within else 2), (text, r.stderr)
    _used_or_refused(r)
    if not within:
        assert text in r.stderr  # the refusal names what was written, and the rule


# --- model ids and endpoints ---------------------------------------------------------------------------

model_ids = st.from_regex(re.compile(r"(anthropic|amazon|meta|acme)\.[a-z][a-z0-9-]{2,30}-v[0-9]:[0-9]"), fullmatch=True)
endpoint_names = st.from_regex(re.compile(r"[a-z][a-z0-9]{0,20}(-[a-z0-9]{1,10}){0,3}"), fullmatch=True)


@SLOW
@given(model=model_ids, endpoint=endpoint_names.filter(lambda e: e not in ("churn-predictor", "rcf-taxi")))
def test_models_and_endpoints_that_do_not_exist_are_refused_before_any_write(cli, aws, model, endpoint):
    for command, says in ((("setup", "bedrock", "--model-id", model), "not offered"),
                          (("setup", "sagemaker", "--endpoint", endpoint), "no SageMaker endpoint")):
        r = cli(*command, "--cluster", "ml-demo", "--no-reboot", code=None)
        if r.code == 0 or r.code == 7:  # a generated model id the catalogue happens to know
            assert command[1] == "bedrock"
            continue
        assert r.code == 2 and says in r.stderr and r.writes == [], (command, r.stderr, r.calls)
        assert r.stderr.splitlines()[-1].startswith("  next: ")


@FAST
@given(text=hostile_text.filter(lambda t: not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.:_-]{1,200}", t)))
def test_malformed_model_ids_and_endpoints_are_refused_unread(cli, no_aws, text):
    refused(cli("setup", "bedrock", "--cluster", "ml-demo", "--model-id", text, code=None))  # check: the same names.model_id
    if not re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", text):
        refused(cli("setup", "sagemaker", "--cluster", "ml-demo", "--endpoint", text, code=None))
        refused(cli("ddl", "sagemaker", "s.f", "--endpoint", text, "--arg", "x:INT", "--returns", "DOUBLE", code=None))


# --- Secrets Manager ARNs --------------------------------------------------------------------------------

def test_secret_arns_are_read_in_their_region_or_refused_unread(cli, aws):
    base = ("grant", "comprehend", "analyst", "--host", "127.0.0.1", "--port", "9")
    for arn in ("arn:aws:rds:us-east-1:123456789012:cluster:ml-demo",  # not a secret
                "arn:aws:secretsmanager::123456789012:secret:db",  # no region
                "arn:bogus:secretsmanager:us-east-1:123456789012:secret:db", "arn:"):
        refused(cli(*base, "--secret-arn", arn, code=2))
    for arn, region in (("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-AbCdEf", "cn-north-1"),
                        ("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db-AbCdEf", "us-gov-west-1")):
        r = cli("-vv", *base, "--secret-arn", arn, code=None)
        assert r.code in (3, 4) and r.calls == ["secretsmanager.GetSecretValue"] and r.writes == []
        assert "can't find the specified secret" in r.stderr or "credentials" in r.stderr
    west = aws("secretsmanager", "us-west-2").create_secret(
        Name="db", SecretString=json.dumps({"username": "u", "password": "p-west-1"}))["ARN"]
    r = cli(*base, "--secret-arn", west, code=5)  # read in us-west-2; then port 9 refuses the connection
    assert "cannot connect to 127.0.0.1:9" in r.stderr


# --- settings files ----------------------------------------------------------------------------------------

TOML_VALUES = ('"ml-demo"', '"x"', '""', "1", "-1", "0", "99999", "1e400", "nan", "inf", "-inf", "true", "[1, 2]", "{a = 1}",
               "1979-05-27", '"\\u0000"', '"line\\nbreak"', '"\\u001b[31m"', "'''multi\nline'''", "[[1]]", '"arn:aws-cn:rds:x"')
TOML_KEYS = (*settings_mod._TARGET_KEYS, "password", "targets", "default_target", "x y", '"quoted key"', "é")


@st.composite
def settings_files(draw) -> bytes:
    """Mostly TOML-shaped (so the checks past the parser are reached), sometimes anything at all."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=200))
    lines = []
    if draw(st.booleans()):
        lines.append("default_target = " + draw(st.sampled_from(['"t"', *TOML_VALUES])))
    for _ in range(draw(st.integers(0, 3))):
        lines.append(f"[{draw(st.sampled_from(['targets.t', 'targets.u', 'targets', 'other', 'targets.t.x']))}]")
        for _ in range(draw(st.integers(0, 3))):
            lines.append(f"{draw(st.sampled_from(TOML_KEYS))} = {draw(st.sampled_from(TOML_VALUES))}")
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=30)))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@FAST
@given(content=settings_files())
@example(content=b"\xff\xfe not utf-8")
@example(content=b"x = " + b"[" * 1000 + b"]" * 1000)  # past tomli's 400 levels: RecursionError
@example(content=b"targets = {t = 1}\ndefault_target = 't'")
@example(content=b"default_target = [1]")
@example(content=b"default_target = 't'\n[targets.t]\npoll_interval = -1")
@example(content=b"default_target = 't'\n[targets.t]\npoll_interval = nan")
@example(content=b"default_target = 't'\n[targets.t]\nport = 99999")
def test_any_settings_file_is_used_or_refused_as_a_config_error(cli, no_aws, isolated, content):
    (isolated / "auroraml.toml").write_bytes(content)
    r = cli("iam-policy", code=None)  # reads the settings; makes no AWS call
    if r.code == 0:
        json.loads(r.stdout)
        return
    refused(r, 3)


@FAST
@given(name=st.text(max_size=40).filter(lambda n: n not in ("t", "")))
@example(name="prod\nerror: injected")
@example(name="\x1b[2J")
def test_an_unknown_target_is_refused_by_name(cli, no_aws, isolated, name):
    (isolated / "auroraml.toml").write_text('[targets.t]\ncluster = "ml-demo"\n')
    r = cli("-t", name, "iam-policy", code=None)
    refused(r, 3)
    assert repr(name) in r.stderr and "(known: t)" in r.stderr


# --- MySQL option files -----------------------------------------------------------------------------------

option_files = st.one_of(
    st.binary(max_size=200),
    st.lists(st.sampled_from(["[client]", "[mysql]", "[client", "user = u", "password = p'w\"#x", "password",
                              "ssl-ca = /no/such/ca.pem", "port = 99999", "host = 127.0.0.1", "!include /etc/passwd",
                              "user = 'unterminated", "= value", "[client]\n[client]", "dup = 1\ndup = 2"]), max_size=8)
    .map(lambda lines: "\n".join(lines).encode()),
)


@FAST
@given(content=option_files)
@example(content="[client]\nuser = u\npassword = pässwörd\n".encode("latin-1"))  # not UTF-8
def test_any_option_file_is_used_or_refused(cli, no_aws, isolated, content):
    path = isolated / "my.cnf"
    path.write_bytes(content)
    r = cli("grant", "comprehend", "analyst", "--host", "127.0.0.1", "--port", "9", "--user", "u",
            "--defaults-file", str(path), code=None)
    lines = r.stderr.splitlines()
    # Refused (2 usage, 3 configuration) or used: then port 9 refuses the connection (5).
    assert r.code in (2, 3, 5), r.stderr
    assert lines[-2].startswith("error: ") and lines[-1].startswith("  next: ") and r.calls == []
    assert "Traceback" not in r.stderr


# --- look-alikes -----------------------------------------------------------------------------------------

# \d and re.IGNORECASE are Unicode-aware in Python: "١٢٣" are digits and "İ" (U+0130) and "K"
# (U+212A, Kelvin) match [a-z] ignoring case. A validator must not let them through to AWS or SQL.
LOOK_ALIKES = [
    (("setup", "bedrock", "--cluster", "ml-demo", "--model-id", "anthropİc.claude-v2"), "Bedrock model id"),
    (("setup", "bedrock", "--cluster", "ml-demo", "--model-id", "amazon.titan-\u212aext-v1"), "Bedrock model id"),
    (("setup", "comprehend", "--cluster", "arn:aws:rds:us-east-1:١٢٣٤٥٦٧٨٩٠١٢:cluster:ml-demo"), "ARN"),
    (("setup", "s3", "--cluster", "ml-demo", "--bucket", "ml-demo-exports", "--kms-key", "arn:aws:kms:us-east-1:١٢٣٤٥٦٧٨٩٠١٢:key/k"), "ARN"),
    (("grant", "comprehend", "analyst", "--aurora-version", "٣.٠٨.٠", "--dry-run"), "Aurora MySQL version"),
]


@pytest.mark.parametrize("args, says", LOOK_ALIKES, ids=[a[-1][:20] for a, _ in LOOK_ALIKES])
def test_look_alike_characters_are_refused(cli, no_aws, args, says):
    r = cli(*args, code=2)
    refused(r)
    assert says in r.stderr


def test_a_type_size_in_other_digits_is_refused(cli, no_aws):
    refused(cli("ddl", "sagemaker", "s.f", "--endpoint", "e", "--arg", "x:VARCHAR(١٠)", "--returns", "DOUBLE",
                "--aurora-version", "3.06.0", code=None))


def test_an_option_file_port_in_other_digits_is_ignored(isolated):
    from auroraml_cli.core import db

    cnf = isolated / "my.cnf"
    cnf.write_text("[client]\nuser = u\nport = ²\n")  # "²".isdigit() is True; int("²") raises
    target, _ = db.resolve(db.ConnectionRequest(host="h", defaults_file=str(cnf)), None, interactive=False)
    assert target["port"] == 3306



# --- bytes that are not UTF-8 ----------------------------------------------------------------------------

# What Python makes of an argument that is not UTF-8 (os.fsdecode): the bad bytes as lone surrogates.
NOT_UTF8 = b"caf\xe9\xff".decode("utf-8", "surrogateescape")
UNDECODABLE = [
    (("grant", "comprehend", NOT_UTF8, "--aurora-version", "3.08.0", "--dry-run"), "USER[@HOST]"),
    (("grant", "sagemaker", "app", "--function", f"mldb.{NOT_UTF8}", "--aurora-version", "3.08.0", "--dry-run"), "--function"),
    (("revoke", "sagemaker", "app", "--function", f"mldb.{NOT_UTF8}", "--aurora-version", "3.08.0", "--dry-run"), "--function"),
    (("ddl", "sagemaker", f"s.{NOT_UTF8}", "--endpoint", "e", "--arg", "x:INT", "--returns", "DOUBLE",
      "--aurora-version", "3.06.0"), "[DB.]NAME"),
    (("ddl", "sagemaker", "s.f", "--endpoint", "e", "--arg", f"{NOT_UTF8}:INT", "--returns", "DOUBLE",
      "--aurora-version", "3.06.0"), "--arg"),
    (("grant", "comprehend", "app", "--host", "127.0.0.1", "--port", "9", "--user", NOT_UTF8), "--user"),
    (("grant", "comprehend", "app", "--host", "127.0.0.1", "--port", "9", "--user", "u", "--database", NOT_UTF8), "--database"),
    (("grant", "comprehend", "app", "--host", "127.0.0.1", "--user", "u", "--defaults-file", f"/tmp/{NOT_UTF8}"), "--defaults-file"),
    (("--config", f"/tmp/{NOT_UTF8}.toml", "iam-policy"), "--config"),
    (("-t", NOT_UTF8, "iam-policy"), "--target"),
    (("--profile", NOT_UTF8, "iam-policy"), "--profile"),
    (("check", "--cluster", f"ml-{NOT_UTF8}", "--no-database"), "--cluster"),
]


@pytest.mark.parametrize("args, option", UNDECODABLE, ids=[o for _, o in UNDECODABLE])
def test_an_argument_that_is_not_utf8_is_refused_naming_it(cli, no_aws, args, option):
    r = cli(*args, code=2)
    refused(r)
    assert r.stderr.startswith(f"error: {option} is not valid UTF-8"), r.stderr


# --- terminal control characters ----------------------------------------------------------------------------

CLEAR = "\x1b[2J\x1b]0;owned\x07"


def test_control_characters_from_arguments_are_escaped_in_tables_and_errors(cli, no_aws, isolated):
    r = cli("-o", "table", "grant", "comprehend", f"a{CLEAR}", "--aurora-version", "3.08.0", "--dry-run")
    assert not CONTROL.search(r.stdout.replace("\n", "")) and "\\x1b[2J" in r.stdout, repr(r.stdout)
    assert not CONTROL.search(r.stderr.replace("\n", ""))
    # A path quoted as typed (not repr'd) in the cause, and click's own usage error.
    for args in (("grant", "comprehend", "a", "--host", "127.0.0.1", "--user", "u", "--defaults-file", f"/tmp/{CLEAR}"),
                 (f"st{CLEAR}",), ("-o", f"x{CLEAR}", "status")):
        r = cli(*args, code=None)
        assert r.code in (2, 3) and not CONTROL.search(r.stderr.replace("\n", "")), repr(r.stderr)
        assert "\\x1b" in r.stderr and "Traceback" not in r.stderr


def test_control_characters_in_log_lines_are_escaped(cli, no_aws):
    r = cli("-vv", "grant", "comprehend", "a", "--host", "127.0.0.1", "--port", "9", "--user", f"u{CLEAR}", code=5)
    assert "u\\x1b[2J" in r.stderr and not CONTROL.search(r.stderr.replace("\n", "")), repr(r.stderr)


# --- every command's options, from the command tree ----------------------------------------------------------

def _leaf_commands():
    from tools import tree

    root = tree.build()
    leaves = [c for c in tree.walk(root) if not c.subcommands]
    return root, leaves


# What the property leaves out, and why. Everything else in the tree — a new command or option
# included — is fed hostile values.
NOT_FED = {
    "auroraml sandbox start": "serves until Ctrl-C (a busy port: tests/cli/test_sandbox.py)",
    "auroraml sandbox run": "starts a server and a child process per run (its own tests: tests/cli/test_sandbox.py)",
}
FLAGS_NOT_FED = {"--watch": "polls until Ctrl-C"}
# Offline, nothing waits (6), nothing reboots (7) and nothing is interrupted (130).
OFFLINE_EXIT_CODES = {0, 1, 2, 3, 4, 5}
CLOSED_PORT = "9"
SURROGATE = b"\xff".decode("utf-8", "surrogateescape")
ODD_VALUES = ("", "-", "--", "-x", "--help", "0", "-1", "1e400", "nan", "-inf", "99999999999999999999", "٣", "²", "1.5",
              "arn:aws:rds:us-east-1:123456789012:cluster:ml-demo", "arn:aws-cn:secretsmanager:cn-north-1:1:secret:x",
              "ml-demo", "s3://ml-demo-exports/x", "s3://", "/dev/null", "/", ".", "no/such/file", "a" * 3000, "x" * 70,
              "[", "[/]", "'", "`", "%", "mldb.churn_score", "a.b.c", "x:INT", ":", "TEXT", "1h", "2026-13-45",
              "\x1b[2J", "\u202eevil", "caf" + SURROGATE)
hostile_value = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(alphabet=st.sampled_from(list(HOSTILE + "aZ09." + SURROGATE)), max_size=40),
)
# No traffic off the machine, and no connection to a real server on this one: a host is an IP
# literal, and a port either the closed one or one the option refuses.
PINNED = {
    "--host": st.sampled_from(["127.0.0.1", "::1", "127.0.0.1 ", "0.0.0.0", "", "\x1b[2J", "caf" + SURROGATE]),
    "--port": st.sampled_from([CLOSED_PORT, "0", "-1", "65536", "99999999999", "x", "٣", "", "9.5"]),
}


def _value(option) -> st.SearchStrategy:
    name = option.names[-1] if option.names[-1].startswith("--") else option.names[0]
    if name in PINNED:
        return PINNED[name]
    if option.choices:
        return st.one_of(st.sampled_from(option.choices), hostile_value)
    return hostile_value


@st.composite
def _options(draw, options) -> list[str]:
    argv: list[str] = []
    usable = [o for o in options if not set(o.names) & ({"-h", "--help", "--version"} | set(FLAGS_NOT_FED))]
    for option in draw(st.lists(st.sampled_from(usable), max_size=4)) if usable else []:
        name = draw(st.sampled_from(option.names))
        if option.metavar is None:
            argv.append(name)
        else:
            value = draw(_value(option))
            argv += [f"{name}={value}"] if name.startswith("--") and draw(st.booleans()) else [name, value]
    return argv


ROOT, LEAVES = _leaf_commands()
FED = [c for c in LEAVES if c.name not in NOT_FED]


@st.composite
def drawn_command_lines(draw) -> list[str]:
    """A command of the tree, its options and arguments drawn from its help (global options now and then)."""
    command = draw(st.sampled_from(FED))
    argv = (draw(_options(ROOT.options)) if draw(st.integers(0, 3)) == 0 else []) + command.path[1:]
    if any("--port" in o.names for o in command.options):
        argv += ["--port", CLOSED_PORT]  # before the drawn options: a drawn --port wins
    argv += draw(_options(command.options))
    positional = [draw(st.one_of(st.sampled_from(a.choices), hostile_value) if a.choices else hostile_value)
                  for a in command.arguments if a.required or draw(st.booleans())]
    if positional:
        argv += (["--"] if draw(st.booleans()) else []) + positional
    return argv


def _examples() -> list[tuple[list[str], object]]:
    """Each example of the help as argv (shell redirections and remarks cut off, --watch left out,
    hosts and ports pinned as above), with its command: valid lines, to get past the first check."""
    import shlex

    found = []
    for command in tree_walk(ROOT):
        for line in command.examples:
            tokens = shlex.split(line)[1:]
            cut = next((i for i, t in enumerate(tokens) if t in (">", "|") or t.startswith("(")), len(tokens))
            tokens = [t for t in tokens[:cut] if t not in FLAGS_NOT_FED]
            for i in range(1, len(tokens)):
                tokens[i] = {"--host": "127.0.0.1", "--port": CLOSED_PORT}.get(tokens[i - 1], tokens[i])
            leaf = max((c for c in LEAVES if _contains(tokens, c.path[1:])), key=lambda c: len(c.path), default=None)
            if leaf is not None and leaf.name not in NOT_FED:
                found.append((tokens, leaf))
    return found


def tree_walk(node):
    from tools import tree

    return tree.walk(node)


def _contains(tokens: list[str], path: list[str]) -> bool:
    return any(tokens[i:i + len(path)] == path for i in range(len(tokens)))


EXAMPLES_OF_HELP = _examples()


@st.composite
def mutated_examples(draw) -> list[str]:
    """An example of the help with up to two of its words replaced by hostile values, and maybe
    more of its command's options added."""
    tokens, leaf = draw(st.sampled_from(EXAMPLES_OF_HELP))
    argv = list(tokens)
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, len(argv) - 1))
        before = argv[i - 1] if i else ""
        argv[i] = draw(PINNED[before] if before in PINNED else hostile_value)
    if "--port" in argv or any("--port" in o.names for o in leaf.options):
        argv += ["--port", CLOSED_PORT] if "--port" not in argv else []
    return argv + draw(_options(leaf.options))


command_lines = st.one_of(drawn_command_lines(), mutated_examples())


def test_every_command_of_the_tree_is_fed_or_named_with_a_reason():
    names = {c.name for c in LEAVES}
    assert set(NOT_FED) <= names and len(FED) >= 15, sorted(names)
    assert len(EXAMPLES_OF_HELP) >= 30 and {leaf.name for _, leaf in EXAMPLES_OF_HELP} >= {"auroraml grant", "auroraml ddl bedrock"}


@settings(max_examples=COMMAND_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=command_lines)
@example(argv=["--config", "/dev/null", "iam-policy"])
@example(argv=["grant", "comprehend", "--port", CLOSED_PORT, "--host", "127.0.0.1", "--user", "u", "--", "a" + SURROGATE])
@example(argv=["sandbox", "start", "--port", "-1"])  # refused by the option before anything starts
def test_hostile_values_for_every_option_of_every_command_get_a_documented_exit(cli, no_aws, monkeypatch, argv):
    """Offline (AWS at a closed port, the database at a closed port): whatever the values, the
    answer is a documented exit code — never 70 — with no traceback and no raw terminal control."""
    monkeypatch.setenv("AURORAML_PORT", CLOSED_PORT)  # a --host without --port must not reach :3306
    r = cli(*argv, code=None)
    assert r.code in OFFLINE_EXIT_CODES, (argv, r.code, r.stderr)
    assert "Traceback" not in r.stderr, (argv, r.stderr)
    assert not CONTROL.search(r.stderr.replace("\n", "").replace("\t", "")), (argv, r.stderr)
    assert r.writes == [], (argv, r.calls)


LONG_NAME = "a" * 300  # past NAME_MAX (255): stat() fails with ENAMETOOLONG, which Path.is_file() raises


@pytest.mark.parametrize("args", [
    ("--config", LONG_NAME, "iam-policy"),
    ("grant", "comprehend", "a", "--host", "127.0.0.1", "--port", "9", "--user", "u", "--defaults-file", LONG_NAME),
    ("grant", "comprehend", "a", "--host", "127.0.0.1", "--port", "9", "--user", "u", "--ssl-ca", LONG_NAME),
], ids=["config", "defaults-file", "ssl-ca"])
def test_a_file_name_too_long_is_a_config_error(cli, no_aws, args):
    r = cli(*args, code=3)
    refused(r, 3)
    assert "File name too long" in r.stderr
