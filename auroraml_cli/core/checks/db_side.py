"""The database side of `check`: what each instance actually runs with, and what a user can do.

The AWS side says what the parameter group holds; only the instance says whether the reboot
happened (`SHOW GLOBAL VARIABLES`). For `--user`, the grants say whether the role or privilege is
there and active at login, and which ML functions the user may EXECUTE. `--probe` makes one real
call per service and maps the documented error strings to their causes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import db
from ..catalogue import SERVICES
from ..sql import Account, Grants, ident, text
from ..versions import AuroraVersion
from . import FAIL, PASS, SKIP, WARN, Finding

VARIABLES = ("SHOW GLOBAL VARIABLES WHERE Variable_name LIKE 'aws_default%' OR Variable_name LIKE 'aurora%s3_role' "
             "OR Variable_name IN ('binlog_format', 'aurora_ml_inference_timeout', 'activate_all_roles_on_login')")
# 3.06 made these reserved words (the Aurora ML reference in the auroraml repository, docs/reference/ §2): objects named so break unquoted SQL after an upgrade.
RESERVED_306 = ("accept", "aws_bedrock_invoke_model", "aws_sagemaker_invoke_endpoint", "content_type", "timeout_ms")
SYSTEM_SCHEMAS = ("mysql", "sys", "information_schema", "performance_schema")
# The services whose functions are made with an ALIAS (`auroraml ddl`), and the target each names.
_ALIAS = {s.name: s.ddl_alias for s in SERVICES.values() if s.ddl_alias}
_TARGET = {s.name: r"\b" + r"\s+".join(s.ddl_target_clause.split()) + r"\s+'((?:[^']|'')*)'"
           for s in SERVICES.values() if s.ddl_alias}


@dataclass
class Instance:
    name: str
    conn: object
    writer: bool


def running_values(instances: list[Instance], version: AuroraVersion, services: list[str],
                   group_values: dict[str, str | None], fix_for) -> tuple[list[Finding], dict[str, str]]:
    """Per service and instance: does the running value equal the group's? Also returns the
    writer's variables for the checks that follow."""
    out: list[Finding] = []
    writer_vars: dict[str, str] = {}
    for inst in instances:
        values = {str(k).lower(): str(v) for k, v in db.rows(inst.conn, VARIABLES)}
        if inst.writer:
            writer_vars = values
        for name in services:
            for parameter in SERVICES[name].parameters_for(version):
                wanted = group_values.get(parameter) or ""
                running = values.get(parameter, "")
                if not wanted:
                    continue  # the AWS side already failed the parameter
                if running == wanted:
                    out.append(Finding("running-value", name, PASS, f"{parameter} is in effect", instance=inst.name))
                else:
                    out.append(Finding("running-value", name, FAIL, f"{parameter} runs as {running or '(empty)'}, the "
                                       f"group says {wanted}: the instance has not been rebooted since",
                                       fix_for(name), instance=inst.name))
    return out, writer_vars


def engine_settings(variables: dict[str, str], group: str) -> list[Finding]:
    out = []
    binlog = variables.get("binlog_format")
    if binlog is None:
        out.append(Finding("binlog-format", None, SKIP, "binlog_format not reported"))
    elif binlog.upper() == "STATEMENT":
        out.append(Finding("binlog-format", None, FAIL, "binlog_format is STATEMENT: every ML function call fails",
                           f"aws rds modify-db-cluster-parameter-group --db-cluster-parameter-group-name {group} "
                           "--parameters ParameterName=binlog_format,ParameterValue=ROW,ApplyMethod=pending-reboot, "
                           "then reboot"))
    else:
        out.append(Finding("binlog-format", None, PASS, f"binlog_format is {binlog}"))
    timeout = variables.get("aurora_ml_inference_timeout")
    if timeout is None:
        out.append(Finding("inference-timeout", None, SKIP, "aurora_ml_inference_timeout not reported by this engine"))
    else:
        out.append(Finding("inference-timeout", None, PASS, f"aurora_ml_inference_timeout is {timeout} ms (each "
                           "Bedrock function's TIMEOUT_MS overrides it)"))
    return out


def reserved_words(conn, version: AuroraVersion) -> Finding:
    if version.generation == "3" and version.at_least((3, 6)) or version.generation == "8.4":
        return Finding("reserved-words", None, PASS, f"{version} already treats the 3.06 reserved words as reserved")
    words = ", ".join(text(w) for w in RESERVED_306)
    schemas = ", ".join(text(s) for s in SYSTEM_SCHEMAS)
    found = [f"table {s}.{n}" for s, n in db.rows(conn, "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
                                                       f"WHERE LOWER(TABLE_NAME) IN ({words}) AND TABLE_SCHEMA NOT IN ({schemas})")]
    found += [f"routine {s}.{n}" for s, n in db.rows(conn, "SELECT ROUTINE_SCHEMA, ROUTINE_NAME FROM information_schema.ROUTINES "
                                                         f"WHERE LOWER(ROUTINE_NAME) IN ({words}) AND ROUTINE_SCHEMA NOT IN ({schemas})")]
    try:
        found += [f"column {s}.{t}.{c}" for s, t, c in db.rows(
            conn, "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "
                  f"WHERE LOWER(COLUMN_NAME) IN ({words}) AND TABLE_SCHEMA NOT IN ({schemas})")]
    except Exception as exc:  # noqa: BLE001 - a server without COLUMNS still answers for tables and routines
        if not db.is_mysql_error(exc):
            raise
    if found:
        return Finding("reserved-words", None, WARN, f"named with a word 3.06 reserves: {', '.join(found[:5])}"
                       + (f" and {len(found) - 5} more" if len(found) > 5 else ""),
                       "quote these names with backticks in every query before upgrading to 3.06 or later")
    return Finding("reserved-words", None, PASS, "no table, column or routine is named with a word 3.06 reserves")


def ml_functions(conn, targets: list[tuple[str, str, str, str]] | None = None) -> dict[str, list[tuple[str, str, int]]]:
    """{"sagemaker": [(schema, name, number of arguments)], "bedrock": [...]}: the ALIAS functions.
    `targets`, when given, receives (schema, name, service, model id or endpoint name) for each."""
    schemas = ", ".join(text(s) for s in SYSTEM_SCHEMAS)
    out: dict[str, list[tuple[str, str, int]]] = {name: [] for name in _ALIAS}
    for schema, name in db.rows(conn, "SELECT ROUTINE_SCHEMA, ROUTINE_NAME FROM information_schema.ROUTINES "
                                      f"WHERE ROUTINE_TYPE = 'FUNCTION' AND ROUTINE_SCHEMA NOT IN ({schemas})")[:500]:
        created = db.rows(conn, f"SHOW CREATE FUNCTION {ident(schema)}.{ident(name)}")
        ddl = str(created[0][2]) if created and len(created[0]) > 2 else ""
        for service, alias in _ALIAS.items():
            if re.search(rf"\bALIAS\s+{alias}\b", ddl, re.I):
                head = ddl.split("RETURNS", 1)[0]
                args = head[head.find("(") + 1: head.rfind(")")].strip()
                out[service].append((schema, name, len([a for a in args.split(",") if a.strip()]) if args else 0))
                called = re.search(_TARGET[service], ddl, re.I)
                if targets is not None and called:
                    targets.append((schema, name, service, called.group(1).replace("''", "'")))
    return out


def user_access(conn, version: AuroraVersion, services: list[str], user: str, variables: dict[str, str],
                functions: dict[str, list[tuple[str, str, int]]], where: str = "") -> list[Finding]:
    """`where`: how the fixes name the server (" --cluster ID" or " --host H")."""
    account = Account.parse(user)
    try:
        lines = [r[0] for r in db.rows(conn, f"SHOW GRANTS FOR {account.sql()}")]
    except Exception as exc:
        if db.is_mysql_error(exc) and exc.args and exc.args[0] in (1141, 1403):
            return [Finding("user", None, FAIL, f"no account {account} on the server",
                            f"CREATE USER {account.sql()} ..., then auroraml grant SERVICE {user}")]
        raise
    grants = Grants.parse(lines)
    out: list[Finding] = []
    defaults: set[str] = set()
    activate_all = variables.get("activate_all_roles_on_login", "OFF").upper() in ("ON", "1")
    held: set[str] = set()
    if version.uses_roles:
        defaults = {r[0] for r in db.rows(conn, "SELECT DEFAULT_ROLE_USER FROM mysql.default_roles WHERE "
                                               f"USER = {text(account.user)} AND HOST = {text(account.host)}")}
        # Roles hold roles (rds_superuser_role holds the AWS_*_ACCESS roles): follow the graph.
        held, defaults = _closure(conn, grants.roles), _closure(conn, defaults)
    for name in services:
        svc = SERVICES[name]
        fix = f"auroraml grant {name} {user}{where}"
        if version.uses_roles:
            missing = [r for r in svc.db_roles if r not in held]
            if missing:
                out.append(Finding("user-access", name, FAIL, f"{account} lacks the role {', '.join(missing)}", fix))
                continue
            inactive = [r for r in svc.db_roles if r not in defaults]
            if inactive and not activate_all:
                out.append(Finding("user-access", name, FAIL, f"{account} holds {', '.join(inactive)} but it is not "
                                   "active at login (no default role, activate_all_roles_on_login OFF): calls fail "
                                   "until SET ROLE", fix))
            else:
                out.append(Finding("user-access", name, PASS, f"{account} holds {', '.join(svc.db_roles)}, active at login"
                                   + (" (activate_all_roles_on_login)" if inactive else "")))
        else:
            held = grants.global_privileges
            missing = [p for p in svc.v2_privileges if p not in held and "ALL PRIVILEGES" not in held]
            out.append(Finding("user-access", name, FAIL if missing else PASS,
                               f"{account} lacks {', '.join(missing)} ON *.*" if missing
                               else f"{account} holds {', '.join(svc.v2_privileges) or 'what the service needs'}",
                               fix if missing else None))
        if name in functions:
            out.append(_execute(account, user, name, grants, lines, functions[name], where))
    return out


def _closure(conn, roles: set[str], limit: int = 64) -> set[str]:
    """The roles and every role they hold, as SHOW GRANTS FOR each role says."""
    seen: set[str] = set()
    todo = list(roles)
    while todo and len(seen) < limit:
        role = todo.pop()
        if role in seen:
            continue
        seen.add(role)
        try:
            lines = [r[0] for r in db.rows(conn, f"SHOW GRANTS FOR {Account(role, '%').sql()}")]
        except Exception as exc:
            if not db.is_mysql_error(exc):
                raise
            continue
        todo += [r for r in Grants.parse(lines).roles if r not in seen]
    return seen


def _execute(account: Account, user: str, service: str, grants: Grants, lines: list[str],
             functions: list[tuple[str, str, int]], where: str) -> Finding:
    if not functions:
        return Finding("user-execute", service, SKIP, f"no {service} function exists yet (auroraml ddl {service} ...)")
    if {"EXECUTE", "ALL PRIVILEGES"} & grants.global_privileges:
        return Finding("user-execute", service, PASS, f"{account} may EXECUTE every function (ON *.*)")
    schema_level = _schemas_with_execute(lines)
    lacking = [f"{s}.{n}" for s, n, _ in functions if (s, n) not in grants.functions and s not in schema_level]
    if lacking:
        return Finding("user-execute", service, FAIL, f"{account} may not EXECUTE {', '.join(lacking[:5])}",
                       f"auroraml grant {service} {user} " + " ".join(f"--function {f}" for f in lacking[:5]) + where)
    return Finding("user-execute", service, PASS, f"{account} may EXECUTE {len(functions)} {service} function(s)")


def _schemas_with_execute(lines: list[str]) -> set[str]:
    found = set()
    for line in lines:
        match = re.match(r"GRANT\s+(.+?)\s+ON\s+(?!FUNCTION|PROCEDURE)[`'\"]?([^`'\".]+)[`'\"]?\.\*\s+TO", line, re.I)
        if match and re.search(r"\b(EXECUTE|ALL PRIVILEGES)\b", match.group(1), re.I):
            found.add(match.group(2))
    return found


# --- --probe ---------------------------------------------------------------------------------

# Documented error strings (the Aurora ML reference in the auroraml repository, docs/reference/ §5, §10) → the cause a person should look at.
CAUSES = (
    (r"Missing Credentials", "the instance has no usable role for the service: aws_default_*_role unset or not yet "
                             "applied (reboot), or the association is not ACTIVE"),
    (r"Network Connection|Unable to initialize|timed out|timeout", "the cluster cannot reach the service over HTTPS: "
                                                                   "security-group egress, route, or VPC endpoint"),
    (r"AccessDenied|not authorized|don't have access", "the role's IAM policy, or Bedrock model access, refuses the call"),
    (r"command denied|1227|Access denied", "the connected user lacks the role (or it is not active) or privilege"),
    (r"execute command denied|1370", "the connected user lacks EXECUTE on the function"),
    (r"binlog_format|1592", "binlog_format is STATEMENT"),
    (r"Could not find endpoint|ValidationError", "the SageMaker endpoint is missing or not InService in this region"),
)


def probe(conn, services: list[str], functions: dict[str, list[tuple[str, str, int]]]) -> list[Finding]:
    out = []
    for name in services:
        if SERVICES[name].probe_sql:
            sql = SERVICES[name].probe_sql
        elif name in functions and functions[name]:
            schema, fn, nargs = functions[name][0]
            arguments = ", ".join(["'1'"] * nargs)
            sql = f"SELECT {ident(schema)}.{ident(fn)}({arguments})"
        else:
            out.append(Finding("probe", name, SKIP, f"nothing to call for {name}"
                               + (f": create a function with auroraml ddl {name}" if name in _ALIAS else "")))
            continue
        try:
            answer = db.scalar(conn, sql)
        except Exception as exc:
            if not db.is_mysql_error(exc):
                raise
            message = " ".join(str(a) for a in exc.args)
            cause = next((c for pattern, c in CAUSES if re.search(pattern, message, re.I)), "see the message")
            out.append(Finding("probe", name, FAIL, f"`{sql}` failed: {message[:200]} — cause: {cause}",
                               f"run `auroraml check --cluster ... --service {name}` findings above; fix the first failure"))
            continue
        out.append(Finding("probe", name, PASS, f"`{sql}` answered {str(answer)[:60]!r}"))
    return out
