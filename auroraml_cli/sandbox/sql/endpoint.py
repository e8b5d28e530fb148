"""A running SQL endpoint: mysql-mimic's asyncio servers for one cluster, in a daemon thread.

Each endpoint has its own event loop and thread; all of its cluster's state is touched only on
that loop (a reset from another thread is sent to it), so no locks are needed and several
endpoints can run in one process. Besides the cluster endpoint (`.port`: the writer of the
moment) each instance the cluster has when the endpoint starts gets a port of its own
(`.instances`), where sessions are that instance: its @@aurora_server_id, its Aurora_ml_*
counters and Uptime. All of them share the cluster's accounts, functions and tables.

Every port speaks TLS when the client asks (mysql-mimic's SSLRequest upgrade) with the sandbox's
server certificate (sandbox/tls.py); `.ssl_ca` is the CA bundle that verifies it. Plain TCP
still connects, except to accounts created REQUIRE SSL and IAM accounts (auth.py).
"""

from __future__ import annotations

import asyncio
import io
import logging
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from mysql_mimic import MysqlServer, packets
from mysql_mimic.connection import Connection
from mysql_mimic.prepared import PreparedStatement
from mysql_mimic.results import ensure_result_set
from mysql_mimic.constants import DEFAULT_SERVER_CAPABILITIES
from mysql_mimic.types import Capabilities, ServerStatus, read_uint_4
from mysql_mimic.stream import ConnectionClosed, MysqlStream
from mysql_mimic.types import str_len, uint_1, uint_2, uint_4, uint_len

from ..net import listen_loopback
from . import prepared, rds_address
from .auth import Login
from .aws import AwsView
from .cluster import ClusterState
from .engine import engine_for
from .errors import SqlError
from .results import Affected
from .server_tables import ServerOutcome
from .session import AuroraSession
from .session import _result as outcome_result

_START_TIMEOUT = 10.0

log = logging.getLogger(__name__)


class SqlEndpoint:
    """One cluster's Aurora SQL endpoint. Use as a context manager, or call stop()."""

    def __init__(self, cluster: ClusterState, listener: socket.socket,
                 instance_listeners: dict[str, socket.socket] | None = None, tls: Any = None) -> None:
        self.cluster = cluster
        self.cluster_id = cluster.cluster_id
        self.engine_version = cluster.engine.rds_version
        self.host, self.port = listener.getsockname()
        listeners = {None: listener, **(instance_listeners or {})}
        self.instances: dict[str, int] = {name: sock.getsockname()[1] for name, sock in listeners.items() if name}
        self.ssl_ca: Path | None = tls.ca_path if tls is not None else None
        context = tls.server_context() if tls is not None else None
        self._loop = asyncio.new_event_loop()
        self._servers = {name: _Server(cluster, name, context, self._addresses(name)) for name in listeners}
        started = threading.Event()
        failures: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(listeners, started, failures), name=f"aurora-sql-{self.cluster_id}", daemon=True
        )
        self._thread.start()
        started.wait(_START_TIMEOUT)
        if failures:
            raise failures[0]

    def _addresses(self, instance: str | None) -> list[tuple[str, int]]:
        """Where an IAM token may be made for to log in on this port: the host RDS reports with
        this port, or with the cluster endpoint's (which leads to the same writer on Aurora)."""
        own = self.instances[instance] if instance else self.port
        return list(dict.fromkeys([(self.host, own), (self.host, self.port)]))

    def _run(self, listeners: dict[str | None, socket.socket], started: threading.Event,
             failures: list[BaseException]) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            for name, listener in listeners.items():
                # mysql-mimic defaults the port to 3306 unless one is given: the socket is already bound.
                self._loop.run_until_complete(self._servers[name].start_server(sock=listener, host=None, port=None))
        except BaseException as error:  # reported to start_endpoint's caller
            failures.append(error)
            for listener in listeners.values():
                listener.close()
            return
        finally:
            started.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._shutdown())
        self._loop.close()

    async def _stop_listening(self) -> None:
        """Close every listener and drop every open connection (each is a task on this loop)."""
        for server in self._servers.values():
            server.close()
        connections = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)

    async def _shutdown(self) -> None:
        await self._stop_listening()
        for server in self._servers.values():
            await server.wait_closed()
        self.cluster.close()

    def reset(self) -> None:
        """Back to a new cluster: only the master user (and v3's built-in roles), no databases."""

        async def reset() -> None:
            self.cluster.reset()

        asyncio.run_coroutine_threadsafe(reset(), self._loop).result(_START_TIMEOUT)

    def load_demo_data(self) -> None:
        """The guide's example tables (demo_data): database `demo`, unless it exists."""
        from . import demo_data

        async def load() -> None:
            demo_data.load(self.cluster)

        asyncio.run_coroutine_threadsafe(load(), self._loop).result(_START_TIMEOUT)

    def go_down(self) -> None:
        """An outage, as when the endpoint's process is killed: every open connection is dropped
        and the ports stop listening (a client's connect is refused) until come_back(). The
        cluster's state (accounts, tables, counters) survives, as it would on the storage."""
        asyncio.run_coroutine_threadsafe(self._stop_listening(), self._loop).result(_START_TIMEOUT)

    def come_back(self) -> None:
        """Listen again on the same ports after go_down()."""
        ports = {None: self.port, **self.instances}
        listeners = {name: listen_loopback(self.host, port, "the SQL endpoint") for name, port in ports.items()}

        async def up() -> None:
            for name, listener in listeners.items():
                await self._servers[name].start_server(sock=listener, host=None, port=None)

        asyncio.run_coroutine_threadsafe(up(), self._loop).result(_START_TIMEOUT)

    def stop(self) -> None:
        aws = self.cluster.aws
        rds_address.withdraw(aws.account_id, aws.region, self.cluster_id, self.port)
        for instance, port in self.instances.items():
            rds_address.withdraw_instance(aws.account_id, aws.region, instance, port)
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(_START_TIMEOUT)

    def __enter__(self) -> SqlEndpoint:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SqlEndpoint({self.cluster_id!r}, {self.engine_version!r}, {self.host}:{self.port})"


def start_endpoint(
    *,
    cluster_id: str,
    engine_version: str,
    account_id: str,
    region: str,
    master_user: str,
    master_password: str | Callable[[], str | None] | None,
    host: str,
    port: int,
    tls: Any = None,
    sql_engine: str = "sqlite",
) -> SqlEndpoint:
    """See the package's start_endpoint (the import-light entry point with the defaults).
    `tls`: the sandbox's tls.Material; None: this process's own (tls.default_material())."""
    from .. import tls as tls_files

    engine = engine_for(engine_version)
    aws = AwsView(account_id, region, cluster_id)
    if master_password is None:
        password: Callable[[], str | None] = aws.master_password
    elif callable(master_password):
        password = master_password
    else:
        password = lambda: master_password  # noqa: E731
    cluster = ClusterState(cluster_id, engine, aws, master_user, password, sql_engine)
    _quiet_libraries()
    listener = listen_loopback(host, port, "the SQL endpoint")
    try:
        instance_listeners = {instance: listen_loopback(host, 0, "the SQL endpoint") for instance in aws.members()}
    except BaseException:
        listener.close()
        raise
    endpoint = SqlEndpoint(cluster, listener, instance_listeners, tls or tls_files.default_material())
    rds_address.advertise(account_id, region, cluster_id, endpoint.host, endpoint.port)
    for instance, instance_port in endpoint.instances.items():
        rds_address.advertise_instance(account_id, region, instance, endpoint.host, instance_port)
    return endpoint


def _quiet_libraries() -> None:
    # mysql-mimic logs every error it sends a client, and sqlglot warns about MySQL it cannot
    # transpile; both would land on the terminal of `auroraml sandbox` (the client gets the error).
    logging.getLogger("mysql_mimic").setLevel(logging.CRITICAL)
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    # asyncio warns of every TLS client that closes without its close_notify (PyMySQL does).
    logging.getLogger("asyncio").setLevel(logging.ERROR)


class _Connection(Connection):
    """mysql-mimic's connection, ending a connection whose login failed and sending an OK
    packet's row counts (INSERT, SELECT INTO OUTFILE S3)."""

    async def connection_phase(self) -> None:
        await super().connection_phase()
        # the mariadb engine's server connection counts UPDATE's rows as the client asked
        self.session.client_found_rows = Capabilities.CLIENT_FOUND_ROWS in self.capabilities
        if self.session.username is None:
            # mysql-mimic has sent "Access denied" but would go on to take commands.
            raise ConnectionClosed()

    async def handle_query(self, data: bytes) -> None:
        com_query = packets.parse_com_query(capabilities=self.capabilities, client_charset=self.client_charset,
                                            data=data)
        result = await self.session.handle_query(com_query.sql, com_query.query_attrs)
        if isinstance(result, ServerOutcome):  # the mariadb engine: the server's own result
            await self._write_server_result(result)
            return
        if isinstance(result, Affected):
            await self.stream.write(self.ok(affected_rows=result.rows, last_insert_id=result.last_insert_id))
            return
        result_set = await ensure_result_set(result)
        if result_set:
            await self.write_text_resultset(result_set)
        else:
            await self.stream.write(self.ok())

    async def handle_stmt_prepare(self, data: bytes) -> None:
        # The markers are counted as the MySQL tokenizer sees them (not inside quotes or comments).
        sql = self.client_charset.decode(data)
        stmt = PreparedStatement(stmt_id=next(self.prepared_stmt_seq), sql=sql,
                                 num_params=len(prepared.placeholders(sql)))
        self.prepared_stmts[stmt.stmt_id] = stmt
        for packet in self.com_stmt_prepare_response(stmt):
            await self.stream.write(packet, drain=False)
        await self.stream.drain()

    def com_stmt_prepare_response(self, statement: PreparedStatement) -> Iterator[bytes]:
        # MySQL sends the EOF after the parameters' definitions only to a client without
        # CLIENT_DEPRECATE_EOF (mysql-mimic always sends it, and libmysqlclient loses the thread).
        yield packets.make_com_stmt_prepare_ok(statement)
        for _ in range(statement.num_params):
            yield packets.make_column_definition_41(server_charset=self.server_charset, name="?")
        if statement.num_params and not self.deprecate_eof():
            yield self.eof()

    async def handle_stmt_execute(self, data: bytes) -> None:
        # Parameters are bound as literals (prepared.py), never pasted into the SQL unescaped.
        stmt = self.get_stmt(read_uint_4(io.BytesIO(data[:4])))
        params, attrs, use_cursor = prepared.parse_execute(self.capabilities, data[4:], stmt)
        stmt.param_buffers = None
        result = await self.session.handle_query(prepared.bind(stmt.sql, params), attrs)
        if isinstance(result, ServerOutcome):  # the mariadb engine: its rows as a result set
            result = outcome_result(result)
        if isinstance(result, Affected):
            await self.stream.write(self.ok(affected_rows=result.rows, last_insert_id=result.last_insert_id))
            return
        result_set = await ensure_result_set(result)
        if not result_set:
            await self.stream.write(self.ok())
            return
        await self.stream.write(packets.uint_len(len(result_set.columns)))
        for column in result_set.columns:
            await self.stream.write(packets.make_column_definition_41(
                server_charset=self.server_charset, name=column.name, column_type=column.type,
                character_set=column.character_set))
        rows = [packets.make_binary_resultrow(row, result_set.columns) for row in result_set.rows]
        if use_cursor:
            async def cursor() -> AsyncIterator[bytes]:
                for row in rows:
                    yield row

            stmt.cursor = cursor()
            await self.stream.write(self.ok_or_eof(flags=ServerStatus.SERVER_STATUS_CURSOR_EXISTS))
            return
        if not self.deprecate_eof():
            await self.stream.write(self.eof())
        for row in rows:
            await self.stream.write(row, drain=False)
        await self.stream.write(self.ok_or_eof())

    async def query(self, sql: str, query_attrs: dict[str, str]) -> Any:
        """mysql-mimic's statement for COM_STMT_EXECUTE: a server engine's result as a result set."""
        result = await self.session.handle_query(sql, query_attrs)
        if isinstance(result, ServerOutcome):
            result = outcome_result(result)
        return await ensure_result_set(result)

    async def _write_server_result(self, result: ServerOutcome) -> None:
        """Rows and column definitions as the server sent them (bench/mimic_proxy.py measured
        that this keeps the compliance suite's outcome test for test)."""
        if not result.fields:
            await self.stream.write(self.ok(affected_rows=result.affected, last_insert_id=result.last_insert_id,
                                            warnings=result.warnings))
            return
        packets_out = [uint_len(len(result.fields))] + [_column_definition(f) for f in result.fields]
        if not self.deprecate_eof():
            packets_out.append(self.eof())
        packets_out.extend(_row(row) for row in result.text_rows)
        packets_out.append(self.ok_or_eof())
        self.stream.write_many(packets_out)
        await self.stream.drain()


class _Stream:
    """mysql-mimic's stream (compiled: it cannot be subclassed, so this wraps it) with a TLS
    upgrade that keeps what the client sent right after its SSLRequest: a client that sends its
    TLS ClientHello at once (PyMySQL does) may have it read into the stream's buffer already,
    which loop.start_tls would never see (the handshake then hangs). The SSL protocol is set up as
    loop.start_tls does it, and fed those bytes first."""

    def __init__(self, stream: MysqlStream) -> None:
        self._stream = stream
        self.reader, self.writer = stream.reader, stream.writer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    async def start_tls(self, context: ssl.SSLContext) -> None:
        from asyncio import sslproto

        loop = asyncio.get_running_loop()
        transport = self.writer.transport
        pending = bytes(self.reader._buffer)  # noqa: SLF001 - asyncio keeps no other way to take it back
        self.reader._buffer.clear()  # noqa: SLF001
        waiter = loop.create_future()
        protocol = sslproto.SSLProtocol(loop, transport.get_protocol(), context, waiter, server_side=True,
                                        call_connection_made=False)
        transport.pause_reading()
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        if pending:
            if isinstance(protocol, asyncio.BufferedProtocol):
                buffer = protocol.get_buffer(len(pending))
                buffer[:len(pending)] = pending
                protocol.buffer_updated(len(pending))
            else:  # Python 3.10's SSLProtocol
                protocol.data_received(pending)
        transport.resume_reading()
        try:
            await waiter
        except BaseException:
            transport.close()
            raise
        self.writer._transport = self.reader._transport = protocol._app_transport  # type: ignore[attr-defined]  # noqa: SLF001


def _column_definition(column: Any) -> bytes:
    def text(value: Any) -> bytes:
        return str_len(value if isinstance(value, bytes) else (value or "").encode("utf-8"))

    return b"".join([
        text(b"def"), text(column.db), text(column.table_name), text(column.org_table), text(column.name),
        text(column.org_name), uint_len(0x0C), uint_2(column.charsetnr), uint_4(column.length),
        uint_1(column.type_code), uint_2(column.flags), uint_1(column.scale), uint_2(0),
    ])


def _row(values: tuple) -> bytes:
    return b"".join(b"\xfb" if v is None else str_len(v if isinstance(v, bytes) else str(v).encode("utf-8"))
                    for v in values)


class _Server(MysqlServer):
    """mysql-mimic's server with the connection above and a session and login per client: both
    need the client's address, which mysql-mimic's session factory does not get. `instance`: the
    instance whose endpoint this is (None: the cluster endpoint)."""

    def __init__(self, cluster: ClusterState, instance: str | None, context: ssl.SSLContext | None = None,
                 addresses: list[tuple[str, int]] | None = None) -> None:
        # CLIENT_FOUND_ROWS offered: an UPDATE's count is then the matched rows (session.py).
        super().__init__(ssl=context,
                         capabilities=DEFAULT_SERVER_CAPABILITIES | Capabilities.CLIENT_FOUND_ROWS)
        self.cluster = cluster
        self.instance = instance
        self.addresses = addresses or []

    async def _client_connected_cb(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        client_host = writer.get_extra_info("peername")[0]
        stream = _Stream(MysqlStream(reader, writer))
        connection = _Connection(
            stream=stream,
            session=AuroraSession(self.cluster, client_host, self.instance),
            control=self.control,
            # the stream's transport is the TLS one once the client has asked for TLS
            identity_provider=Login(self.cluster, client_host, lambda: stream.writer.get_extra_info("ssl_object") is not None,
                                    lambda: self.addresses),
            server_capabilities=self.capabilities,
            ssl=self.ssl,
        )
        connection.connection_id = await self.control.add(connection)
        try:
            await connection.start()
        except (ConnectionClosed, ConnectionError, SqlError) as error:  # a failed login, or the client went away
            log.debug("connection %s ended: %r", connection.connection_id, error)
        except asyncio.CancelledError:  # the endpoint is stopping
            pass
        finally:
            writer.close()
            await self.control.remove(connection.connection_id)
