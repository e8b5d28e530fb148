"""One error hierarchy, and the one table that turns any failure into an exit code.

Helpers raise these with a one-line cause and the next step; nothing below the CLI prints or
exits. `exit_code_for` is the only place that decides a process exit code (cli.main calls it).
"""

from __future__ import annotations

import os
import sys

# The contract from docs/reference/cli-surface.md. Runbooks branch on these numbers: never renumber.
EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_CHANGES = 2  # --detailed-exitcode: the plan would change something
EXIT_CONFIG = 3
EXIT_AWS = 4
EXIT_DATABASE = 5
EXIT_TIMEOUT = 6
EXIT_REBOOT_PENDING = 7
EXIT_CHANGES = 2  # --detailed-exitcode: the plan would change something
EXIT_INTERNAL = 70  # sysexits' EX_SOFTWARE: never 1, which a runbook reads as "a check failed"
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports a process that SIGTERM ended

EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "success"),
    (EXIT_CHECK_FAILED, "a check or verification failed"),
    (EXIT_USAGE, "usage error (bad option or argument); nothing was changed"
                 " (with --dry-run --detailed-exitcode: the plan would change something)"),
    (EXIT_CONFIG, "configuration or credentials error"),
    (EXIT_AWS, "AWS refused or failed"),
    (EXIT_DATABASE, "database error"),
    (EXIT_TIMEOUT, "timed out waiting; the state is consistent and the same command resumes"),
    (EXIT_REBOOT_PENDING, "done, but a reboot is still pending (--no-reboot)"),
    (EXIT_INTERNAL, "internal error (a bug in auroraml: run again with -vv and report it)"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C); the same command resumes"),
    (EXIT_TERMINATED, "terminated (SIGTERM); the same command resumes"),
)


class AuroraMLError(Exception):
    """Base of every error the tool raises on purpose: a cause and, where known, what to do next."""

    exit_code = EXIT_CHECK_FAILED

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class VerificationFailed(AuroraMLError):
    exit_code = EXIT_CHECK_FAILED


class UsageError(AuroraMLError):
    exit_code = EXIT_USAGE


class ConfigError(AuroraMLError):
    exit_code = EXIT_CONFIG


class AwsError(AuroraMLError):
    exit_code = EXIT_AWS


class DatabaseError(AuroraMLError):
    exit_code = EXIT_DATABASE


class WaitTimeout(AuroraMLError):
    exit_code = EXIT_TIMEOUT


class AccessDenied(DatabaseError):
    """The server refused the login (MySQL 1045): reached, not unreachable."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process is, like Ctrl-C's KeyboardInterrupt (cli.main installs it)."""


# botocore exception class names that mean "your credentials or configuration", not "AWS said no".
_CREDENTIAL_ERRORS = {
    "NoCredentialsError",
    "PartialCredentialsError",
    "NoRegionError",
    "ProfileNotFound",
    "ConfigNotFound",
    "ConfigParseError",
    "SSOTokenLoadError",
    "TokenRetrievalError",
    "UnauthorizedSSOTokenError",
    "CredentialRetrievalError",
    "InvalidRegionError",  # --region / AWS_REGION / a target's region that is not a region name
}
_CREDENTIAL_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "AuthFailure",
}


# --- secrets ------------------------------------------------------------------------------------
# Every password and IAM token the tool obtains is remembered here (core/db.py does it when it
# builds Credentials), so that whatever reaches the user — the error line, the -vv traceback, a
# log line, a JSON document — can be scrubbed of it even if a driver or a bug put it in an
# exception. Values are kept as written, as repr() and json.dumps() would escape them.
REDACTED = "[redacted]"
SECRET_MIN_LENGTH = 4  # shorter values would blank ordinary words out of every message
_SECRETS: set[str] = set()


def remember_secret(value: object) -> None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str) or len(value) < SECRET_MIN_LENGTH:
        return
    import json

    _SECRETS.update(v for v in (value, repr(value)[1:-1], json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1])
                    if len(v) >= SECRET_MIN_LENGTH)


def forget_secrets() -> None:
    """A new run (cli.run) starts with none: what one in-process run remembered is not another's."""
    _SECRETS.clear()


def redact(text: str) -> str:
    """`text` with every remembered secret replaced by [redacted]."""
    if not _SECRETS or not text:
        return text
    for secret in sorted(_SECRETS, key=len, reverse=True):  # longest first: an escaped form contains the plain one
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def describe(exc: BaseException) -> tuple[int, str, str | None]:
    """(exit code, one-line cause, next step) for any exception that reaches the top, with every
    remembered secret scrubbed out (a driver may put what it was given in its message)."""
    code, message, hint = _describe(exc)
    return code, redact(message), redact(hint) if hint else hint


def _describe(exc: BaseException) -> tuple[int, str, str | None]:
    if isinstance(exc, AuroraMLError):
        return exc.exit_code, exc.message, exc.hint
    if isinstance(exc, Terminated):
        return EXIT_TERMINATED, "terminated (SIGTERM)", "run the same command again: it resumes where it stopped"
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted", "run the same command again: it resumes where it stopped"
    name = type(exc).__name__
    # botocore is only consulted when it is already loaded: importing it here would cost every
    # command the start-up time the CLI works to avoid.
    if "botocore" in sys.modules:
        import botocore.exceptions as bx

        if isinstance(exc, bx.ClientError):
            err = exc.response.get("Error", {})
            code = err.get("Code", "Unknown")
            op = getattr(exc, "operation_name", "the call")
            msg = f"AWS refused {op}: {code}: {err.get('Message', '').strip()}".rstrip(": ")
            if code in _CREDENTIAL_CODES:
                return EXIT_CONFIG, msg, "check your AWS credentials (--profile, AWS_PROFILE)"
            if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}:
                return EXIT_AWS, msg, "the operator needs this permission; see `auroraml setup --help`"
            return EXIT_AWS, msg, "fix the cause above and run the same command again"
        if isinstance(exc, bx.NoCredentialsError):
            return _as_tuple(missing_credentials(os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")))
        if isinstance(exc, bx.ProfileNotFound):
            return _as_tuple(profile_not_found(str(exc.kwargs.get("profile", ""))))
        if name in _CREDENTIAL_ERRORS:
            return EXIT_CONFIG, f"AWS configuration: {exc}", "set --profile/--region or AWS_PROFILE/AWS_REGION"
        if isinstance(exc, (bx.BotoCoreError,)) or name == "ResponseParserError":
            return EXIT_AWS, f"AWS call failed: {exc}", "check the endpoint and network, then run the same command again"
    if "pymysql" in sys.modules:
        import pymysql

        if isinstance(exc, pymysql.err.MySQLError):
            return EXIT_DATABASE, f"database error: {exc}", None
    return EXIT_INTERNAL, f"unexpected error: {name}: {exc}", "run again with -vv for the traceback and report it"


def dry_run_exit(*, would_change: bool, detailed: bool) -> int:
    """A dry run's exit code: 0, or with --detailed-exitcode (terraform plan's) EXIT_CHANGES when the
    plan would change something, so a CI job detects drift without parsing the plan."""
    return EXIT_CHANGES if detailed and would_change else EXIT_OK


# --- AWS credentials ------------------------------------------------------------------------------
# Where botocore's default chain looks, in its order (botocore.credentials.create_credential_resolver).
_CHAIN = ("the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)", "the profile's SSO, assume-role, "
          "web identity or credential_process settings", "the shared credentials file ({credentials})",
          "the config file ({config})", "container credentials (ECS, EKS Pod Identity)", "EC2 instance metadata")
SANDBOX_HINT = "to try auroraml with no AWS account, run the same command on the local sandbox: auroraml sandbox run -- auroraml ..."


def _aws_files(env=None) -> tuple[str, str]:
    env = os.environ if env is None else env
    return (env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials", env.get("AWS_CONFIG_FILE") or "~/.aws/config")


def aws_configured(env=None) -> bool:
    """Whether anything on this machine says "use AWS": a credential or profile variable, an AWS
    config or credentials file, or a container's or web identity's credentials. False: a newcomer
    with no AWS set up, whom the sandbox lets try everything."""
    env = os.environ if env is None else env
    if any(env.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI")):
        return True
    return any(os.path.exists(os.path.expanduser(path)) for path in _aws_files(env))


def missing_credentials(profile: str | None, env=None) -> ConfigError:
    """botocore found no credentials: what it looked for, in order, and the next step: the AWS
    set-up when there is one, the sandbox when no AWS is configured at all."""
    credentials, config = _aws_files(env)
    whose = f" for profile {profile!r}" if profile else " (no --profile or AWS_PROFILE: the default profile)"
    chain = ", ".join(step.format(credentials=credentials, config=config) for step in _CHAIN)
    message = f"no AWS credentials found{whose}; boto3 looked in {chain}"
    if aws_configured(env):
        return ConfigError(message, "sign in (aws sso login, aws configure) or pass --profile NAME of a profile with credentials")
    return ConfigError(message, f"set up AWS credentials (aws configure), or {SANDBOX_HINT}")


def profile_not_found(profile: str, env=None) -> ConfigError:
    """--profile or AWS_PROFILE names a profile neither AWS file has: the closest ones it has."""
    import difflib

    credentials, config = _aws_files(env)
    known = _profiles()
    close = difflib.get_close_matches(profile, known, n=3)
    message = f"AWS profile {profile!r} not found in {config} or {credentials}"
    if close:
        return ConfigError(message, f"did you mean {' or '.join(f'--profile {name}' for name in close)}?")
    if known:
        return ConfigError(message, f"pass --profile with one of: {', '.join(known[:10])}")
    if aws_configured({k: v for k, v in (os.environ if env is None else env).items() if k not in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")}):
        return ConfigError(message, "create it (aws configure --profile NAME) or drop --profile / AWS_PROFILE")
    return ConfigError(message, f"create it (aws configure --profile NAME), or {SANDBOX_HINT}")


def _profiles() -> list[str]:
    """The profiles the AWS config and credentials files define (botocore reads them)."""
    try:
        import botocore.session

        return sorted(botocore.session.Session(session_vars={"profile": (None, None, None, None)}).available_profiles)
    except Exception:  # noqa: BLE001 - a broken file says nothing about the names
        return []


def _as_tuple(error: AuroraMLError) -> tuple[int, str, str | None]:
    return error.exit_code, error.message, error.hint


def exit_code_for(exc: BaseException) -> int:
    return describe(exc)[0]
