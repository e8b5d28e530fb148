"""The one seam to AWS: the only module that imports boto3/botocore and creates clients.

It builds clients with botocore's session directly: `import boto3` also imports s3transfer
(measured 90 ms of a 690 ms `setup` here) for nothing this tool uses; credentials, profiles
and AWS_ENDPOINT_URL resolve exactly as in boto3, which is the same botocore session, and the
region too, except that AWS_REGION (which botocore ignores) comes before AWS_DEFAULT_REGION.
botocore is imported on first use (felt on every TAB press otherwise). Clients
are cached per (service, region): building one costs 5-105 ms. Retries follow `standard` mode
unless AWS_RETRY_MODE / AWS_MAX_ATTEMPTS (or the profile's retry_mode / max_attempts) say
otherwise (a bad value is a configuration error). Every attempt waits at most CONNECT_TIMEOUT to
connect and READ_TIMEOUT for an answer (or the settings' connect_timeout / read_timeout), so that
an endpoint which accepts and never answers fails the command (exit 4, naming it) within about a
minute; --endpoint-url (`endpoint_url`), else AWS_ENDPOINT_URL (boto3's own variable), points
every call at a local stand-in such as `auroraml sandbox`. Every API call is logged at
debug level on the `auroraml.aws` logger, which is what `-vv` shows and what tests read to prove
that a dry run makes no write call.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

log = logging.getLogger("auroraml.aws")

# Operation-name prefixes that never change anything. Anything else is a write.
READ_PREFIXES = ("Describe", "Get", "List", "Simulate", "Head")
RETRY_MODES = ("standard", "legacy", "adaptive")
# Seconds per attempt. botocore's 60 s read timeout, three times in standard mode, let a silent
# endpoint hold a command for over three minutes. Worst case now, with the default 3 attempts:
# 3 x 15 s reading (or 3 x 10 s connecting), plus botocore's backoff after a timeout (at most
# 0.05 s x 2^i, so under 0.2 s in all): about 45 s. AWS APIs answer in well under a second.
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 15


class Aws:
    def __init__(self, profile: str | None = None, region: str | None = None, *,
                 connect_timeout: float | None = None, read_timeout: float | None = None,
                 endpoint_url: str | None = None) -> None:
        self._profile = profile
        self.endpoint_url = endpoint_url  # --endpoint-url; None: botocore's AWS_ENDPOINT_URL(_SERVICE), else AWS
        self._region = region
        self._connect_timeout = connect_timeout or CONNECT_TIMEOUT
        self._read_timeout = read_timeout or READ_TIMEOUT
        self._session = None
        self._reader = None
        self._clients: dict[tuple[str, str | None], Any] = {}
        # botocore clients are thread-safe once built; building them (and the session) is not.
        self._lock = threading.RLock()

    @property
    def profile(self) -> str | None:
        """--profile (or the target's); None: AWS_PROFILE, else the default profile, as botocore decides."""
        return self._profile

    @property
    def session(self):
        with self._lock:
            return self._make_session()

    def _make_session(self):
        if self._session is None:
            import botocore.session

            session = botocore.session.Session(profile=self._profile)
            # The region, most specific first: --region, AURORAML_REGION or the target's region
            # (settings.resolve gives whichever is set as self._region), AWS_REGION, then botocore's
            # own AWS_DEFAULT_REGION and the profile's region. AWS_REGION is the AWS CLI v2's
            # variable, which botocore does not read.
            region = self._region or os.environ.get("AWS_REGION")
            if region:
                session.set_config_variable("region", region)
            session.register("before-call", _log_call)
            # Every write, before it is sent and when it answers, makes the reader forget what it
            # read of that service: a run that changes something and reads it again sees the change.
            session.register("before-call", self._written)
            session.register("after-call", self._written)
            session.register("after-call-error", _timed_out)
            self._session = session
        return self._session

    @property
    def reader(self):
        """The process's one AWS reader (core/reader.py): every read, typed and made once."""
        if self._reader is None:
            with self._lock:
                if self._reader is None:
                    from .reader import Reader

                    self._reader = Reader(self)
        return self._reader

    def _written(self, model=None, **_: Any) -> None:
        if model is not None and self._reader is not None and is_write(model.name):
            self._reader.written(model.service_model.service_name)

    @property
    def region(self) -> str:
        from .errors import ConfigError

        region = self.session.get_config_variable("region")
        if not region:
            raise ConfigError("no AWS region", "pass --region or set AWS_REGION (or a region in the target)")
        return region

    def client(self, service: str, region: str | None = None):
        key = (service, region or self.region)
        if key in self._clients:
            return self._clients[key]
        with self._lock:
            return self._make_client(key)

    def _make_client(self, key: tuple[str, str]):
        if key not in self._clients:
            from botocore.config import Config

            retries = retry_config(self.session)
            # Fleet checks call one client from up to 16 threads: keep a connection for each.
            config = Config(retries=retries, connect_timeout=self._connect_timeout, read_timeout=self._read_timeout,
                            max_pool_connections=32)
            if self.session.get_credentials() is None:  # what botocore's "Unable to locate credentials" leaves out
                from .errors import missing_credentials

                raise missing_credentials(self._profile or os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE"))
            self._clients[key] = self.session.create_client(key[0], region_name=key[1], config=config,
                                                            endpoint_url=self.endpoint_url)
        return self._clients[key]

    def available_regions(self, service: str, partition: str = "aws") -> list[str]:
        """Regions botocore's endpoint data lists for a service (no network call)."""
        return self.session.get_available_regions(service, partition_name=partition)


def retry_config(session) -> dict[str, Any]:
    """botocore's `retries` for every client: `standard` unless AWS_RETRY_MODE or the profile's
    retry_mode names another mode (botocore's own default would be `legacy`); the attempts from
    AWS_MAX_ATTEMPTS or the profile's max_attempts, else the mode's default. A bad value is a
    ConfigError (exit 3), not a crash or an "AWS failed"."""
    from .errors import ConfigError

    profile = session.get_scoped_config()
    mode = os.environ.get("AWS_RETRY_MODE") or profile.get("retry_mode") or "standard"
    if mode not in RETRY_MODES:
        raise ConfigError(f"AWS retry mode {mode!r} is not one of {', '.join(RETRY_MODES)}",
                          "fix AWS_RETRY_MODE (or retry_mode in the AWS profile)")
    retries: dict[str, Any] = {"mode": mode}
    attempts = os.environ.get("AWS_MAX_ATTEMPTS") or profile.get("max_attempts")
    if attempts:
        text = str(attempts).strip()
        if not (text.isascii() and text.isdigit() and int(text) >= 1):
            raise ConfigError(f"AWS max attempts {attempts!r} is not a whole number of at least 1",
                              "fix AWS_MAX_ATTEMPTS (or max_attempts in the AWS profile), e.g. 5")
        # AWS_MAX_ATTEMPTS counts every attempt; botocore's Config `max_attempts` counts retries
        # (one more attempt than it says): `total_max_attempts` is the variable's meaning.
        retries["total_max_attempts"] = int(attempts)
    return retries


def _log_call(event_name: str = "", model=None, **_: Any) -> None:
    if model is not None:
        log.debug("aws call %s.%s", model.service_model.service_name, model.name)


def _timed_out(exception: BaseException | None = None, context: dict | None = None, event_name: str = "",
               **_: Any) -> None:
    """A call whose every attempt timed out becomes an AwsError (exit 4) naming the endpoint, the
    timeout and what to do; botocore's own message names neither the timeout nor the setting."""
    import botocore.exceptions as bx

    from .errors import AwsError

    connect = isinstance(exception, bx.ConnectTimeoutError)
    if not (connect or isinstance(exception, bx.ReadTimeoutError)):
        return
    context = context or {}
    config = context.get("client_config")
    seconds = getattr(config, "connect_timeout" if connect else "read_timeout", None)
    attempts = context.get("retries", {}).get("attempt")
    endpoint = getattr(exception, "kwargs", {}).get("endpoint_url", "the endpoint")
    call = ".".join(event_name.split(".")[1:3]) or "the call"
    kind, option = ("connect", "--cli-connect-timeout") if connect else ("read", "--cli-read-timeout")
    waited = f"the {kind} timeout of {seconds:g} s" if isinstance(seconds, (int, float)) else f"the {kind} timeout"
    tries = f", {attempts} attempt{'s' if attempts != 1 else ''}" if attempts else ""
    what = "could not connect to" if connect else "no answer from"
    raise AwsError(f"AWS call {call}: {what} {endpoint} within {waited}{tries}",
                   f"check the network, and --endpoint-url or AWS_ENDPOINT_URL if set, then run the same command again; "
                   f"on a slow link raise {option} (AURORAML_{kind.upper()}_TIMEOUT)") from exception


def is_write(operation: str) -> bool:
    return not operation.startswith(READ_PREFIXES)


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a ClientError, or None for anything else."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None
