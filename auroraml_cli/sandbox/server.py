"""The sandbox as a moto server on loopback: the layer installed, a config route, the demo seed,
and an Aurora SQL endpoint per seeded Aurora MySQL cluster (sql/, `Sandbox.sql_endpoints`).

The server runs in this process (a thread), so the layer patched here is the one it serves.
Extra routes: `GET /_auroraml/config` returns the knobs as JSON; `POST /_auroraml/config` with a
JSON object of knob values changes them (400 and no change on an unknown knob or a bad value).
`GET /_auroraml/ml` shows the fixed answers of the ML services; `POST /_auroraml/ml` sets them
(ml_answers.configure: {"sentiment": {text: label}, "endpoints": {name: value or [values]},
"models": {model id: text}}).
"""

from __future__ import annotations

import json
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
from moto.moto_api._internal import moto_api_backend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from . import layer, ml_answers
from .seed import DEMO_DATA_CLUSTERS, MASTER_USERNAME, SQL_CLUSTERS
from .seed import seed as seed_demo
from .net import listen_loopback
from .sql import start_endpoint

if TYPE_CHECKING:
    from .sql import SqlEndpoint

CONFIG_PATH = "/_auroraml/config"
ML_PATH = "/_auroraml/ml"
# moto accepts any credentials; explicit dummy ones keep the developer's real ones out of play.
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class Sandbox:
    """A running sandbox server. Use as a context manager, or call stop()."""

    def __init__(self, server: Any, sql_engine: str | None = None) -> None:
        import tempfile
        from pathlib import Path

        from . import tls

        self._server = server
        self.sql_engine = sql_engine  # the SQL endpoints' engine (sql.start_endpoint: None is the default)
        self.host, self.port = server.get_host_and_port()
        self._session = _isolated_session()
        self.sql_endpoints: dict[str, SqlEndpoint] = {}  # cluster id → its SQL endpoint
        # The CA and server certificate the SQL endpoints serve TLS with, made for this start.
        self._state = Path(tempfile.mkdtemp(prefix="auroraml-sandbox-"))
        self.tls = tls.write(self._state / "tls", (self.host,))

    @property
    def state_dir(self) -> str:
        """This start's own directory (TLS files; the journal, settings and caches of the commands
        `sandbox run` and `sandbox start` point at it): removed when the sandbox stops."""
        return str(self._state)

    @property
    def ssl_ca(self) -> str:
        """The CA bundle that verifies the SQL endpoints (as the RDS global bundle verifies Aurora)."""
        return str(self.tls.ca_path)

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def client(self, service: str, region: str = "us-east-1") -> Any:
        """A boto3 client aimed at this sandbox with dummy credentials."""
        return self._session.client(service, region_name=region, endpoint_url=self.endpoint_url)

    def reset(self, reseed: bool = True) -> list[str]:
        """Forget every resource (moto's reset, as `POST /moto-api/reset`) and every database,
        account and function behind the SQL endpoints, then seed again."""
        moto_api_backend.reset()
        for endpoint in self.sql_endpoints.values():
            endpoint.reset()
        if not reseed:
            return []
        created = seed_demo(self.client)
        self._load_demo_data(self.sql_endpoints)
        return created

    def start_sql_endpoints(self) -> None:
        """One SQL endpoint per seeded Aurora MySQL cluster; RDS then reports it as the cluster's
        endpoint. The master password is read from RDS at each login (sql/__init__.py). The
        clusters in seed.DEMO_DATA_CLUSTERS get the guide's tables (database `demo`)."""
        started = {}
        for spec in SQL_CLUSTERS:
            if spec.name not in self.sql_endpoints:
                started[spec.name] = self.sql_endpoints[spec.name] = start_endpoint(
                    cluster_id=spec.name, engine_version=spec.version, region=spec.region,
                    master_user=MASTER_USERNAME, host=self.host, tls=self.tls, sql_engine=self.sql_engine,
                )
        self._load_demo_data(started)

    @staticmethod
    def _load_demo_data(endpoints: dict[str, SqlEndpoint]) -> None:
        for name in DEMO_DATA_CLUSTERS:
            if name in endpoints:
                endpoints[name].load_demo_data()

    def stop(self) -> None:
        import shutil

        for endpoint in self.sql_endpoints.values():
            endpoint.stop()
        self._server.stop()
        shutil.rmtree(self._state, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def start(
    host: str = "127.0.0.1", port: int = 0, seed: bool = True, sql: bool = True, sql_engine: str | None = None,
    **knobs: float | bool
) -> Sandbox:
    """Start a sandbox server (port 0: any free port) and, by default, seed the demo set and
    start the seeded clusters' SQL endpoints (on free ports of the same host).
    Raises ValueError for a bad knob or a host off loopback, OSError if the port is taken."""
    from .sql import sql_engine_choice

    sql_engine = sql_engine_choice(sql_engine)  # before starting: a missing server starts nothing
    layer.install()
    layer.configure(**knobs)  # before starting, so a bad knob starts nothing
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log on the user's terminal
    server = _Server(listen_loopback(host, port, "the sandbox"))
    server.start()
    sandbox = Sandbox(server, sql_engine)
    if seed:
        try:
            seed_demo(sandbox.client)
            if sql:
                sandbox.start_sql_endpoints()
        except BaseException:
            sandbox.stop()
            raise
    return sandbox


def serve_forever(
    host: str = "127.0.0.1",
    port: int = 0,
    seed: bool = True,
    on_ready: Callable[[Sandbox], None] | None = None,
    sql_engine: str | None = None,
    **knobs: float | bool,
) -> None:
    """Run a sandbox until SIGINT or SIGTERM, then stop it and return. Prints nothing: the caller
    learns the URL through `on_ready`. Must run in the main thread (it installs signal handlers)."""
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with start(host, port, seed, sql_engine=sql_engine, **knobs) as sandbox:
            if on_ready is not None:
                on_ready(sandbox)
            stopping.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _isolated_session() -> Any:
    """A boto3 session that ignores AWS_PROFILE: a profile missing from ~/.aws/config would
    otherwise fail every client, although the sandbox needs nothing from it."""
    core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    return boto3.session.Session(botocore_session=core, **DUMMY_CREDENTIALS)


class _ConfigRoute:
    """WSGI middleware in front of moto: answers CONFIG_PATH itself, passes the rest on."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path not in (CONFIG_PATH, ML_PATH):
            return self.app(environ, start_response)
        method = environ["REQUEST_METHOD"]
        if method == "POST":
            try:
                payload = json.loads(_body(environ) or b"{}")
                if not isinstance(payload, dict):
                    raise ValueError("expected a JSON object of sandbox settings")
                if path == ML_PATH:
                    ml_answers.configure(payload)
                else:
                    layer.configure(**payload)
            except ValueError as error:  # JSONDecodeError is a ValueError too
                return _json(start_response, "400 Bad Request", {"error": str(error)})
        elif method != "GET":
            return _json(start_response, "405 Method Not Allowed", {"error": f"{method} not allowed"})
        shown = ml_answers.fixed_answers() if path == ML_PATH else layer.current_settings()
        return _json(start_response, "200 OK", shown)


def _body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length else b""


def _json(start_response: Callable[..., Any], status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class _Server(ThreadedMotoServer):
    """moto's threaded server on a socket we bound, with the config route in front of moto's
    app. ThreadedMotoServer builds its app inside `_server_entry` and offers no hook, so that
    method is repeated here."""

    def __init__(self, listener: socket.socket) -> None:
        host, port = listener.getsockname()
        super().__init__(ip_address=host, port=port, verbose=False)
        self._listener = listener

    def _server_entry(self) -> None:
        app = _ConfigRoute(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address,
            self._port,
            app,
            threaded=True,
            request_handler=MotoRequestHandler,
            fd=self._listener.fileno(),  # werkzeug duplicates it
        )
        self._listener.close()
        self._server_ready_event.set()
        self._server.serve_forever()
