"""A measuring prototype for the engine choice (docs/reference/sql-compat.md, "Engine choice"):
mysql-mimic — the protocol layer the sandbox's endpoint is built on — in front of a real server,
passing every statement through unchanged.

    proxy = start_proxy(upstream_host, upstream_port)   # 127.0.0.1:proxy.port, any user, no password
    ...
    proxy.stop()

What the compliance suite loses through it is what a server-backed engine under the Aurora layer
would lose to the protocol layer alone (before the Aurora layer rewrites anything). Each client
connection gets its own upstream PyMySQL connection, as root, with no value conversions: rows are
passed on as the server's text, and column definitions with the server's schema, table, charset,
length, flags and decimals (mysql-mimic's own result writer sends name, type and charset only).
bench/sqlalchemy_suite.py --only proxy runs the suite through it. Loopback only.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pymysql
import pymysql.constants.CLIENT
from mysql_mimic import MysqlServer
from mysql_mimic.connection import Connection
from mysql_mimic.errors import MysqlError
from mysql_mimic.packets import parse_com_query
from mysql_mimic.session import Session
from mysql_mimic.stream import MysqlStream
from mysql_mimic.types import Capabilities, str_len, uint_1, uint_2, uint_4, uint_len

HOST = "127.0.0.1"


def _column_definition(field: Any) -> bytes:
    def text(value: Any) -> bytes:
        return str_len((value or "").encode("utf-8") if not isinstance(value, bytes) else value)

    return b"".join([
        text(b"def"), text(field.db), text(field.table_name), text(field.org_table), text(field.name),
        text(field.org_name), uint_len(0x0C), uint_2(field.charsetnr), uint_4(field.length),
        uint_1(field.type_code), uint_2(field.flags), uint_1(field.scale), uint_2(0),
    ])


def _row(values: tuple) -> bytes:
    return b"".join(b"\xfb" if v is None else str_len(v if isinstance(v, bytes) else str(v).encode("utf-8"))
                    for v in values)


class _Upstream(Session):
    """A session that owns one connection to the real server."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__()
        self.upstream = (host, port)
        self.conn: Any = None
        self.lock = threading.Lock()

    async def init(self, connection: Any) -> None:
        # The client's CLIENT_FOUND_ROWS decides what UPDATE's row count means (matched or changed).
        flags = pymysql.constants.CLIENT.FOUND_ROWS if Capabilities.CLIENT_FOUND_ROWS in connection.capabilities else 0
        host, port = self.upstream
        self.conn = await asyncio.to_thread(pymysql.connect, host=host, port=port, user="root", password="",
                                            charset="utf8mb4", autocommit=True, conv={}, client_flag=flags)
        if self.database:  # the handshake's database (mysql-mimic only records it)
            await self.use(self.database)

    async def close(self) -> None:
        if self.conn is not None and self.conn.open:
            self.conn.close()

    async def use(self, database: str) -> None:
        await asyncio.to_thread(self.conn.select_db, database)

    async def handle_query(self, sql: str, attrs: dict[str, str]) -> Any:
        raise NotImplementedError  # _ProxyConnection.handle_query answers COM_QUERY itself

    def run(self, sql: str) -> Any:
        with self.lock:
            try:
                self.conn.query(sql)
            except pymysql.err.MySQLError as error:
                code, message = (error.args + ("",))[:2]
                raise MysqlError(message, code) from None
            return self.conn._result


class _ProxyConnection(Connection):
    async def handle_query(self, data: bytes) -> None:
        sql = parse_com_query(capabilities=self.capabilities, client_charset=self.client_charset, data=data).sql
        result = await asyncio.to_thread(self.session.run, sql)
        if not getattr(result, "fields", None):
            await self.stream.write(self.ok(affected_rows=result.affected_rows, last_insert_id=result.insert_id or 0,
                                            warnings=result.warning_count))
            return
        packets = [uint_len(len(result.fields))] + [_column_definition(f) for f in result.fields]
        if not self.deprecate_eof():
            packets.append(self.eof())
        packets.extend(_row(row) for row in result.rows)
        packets.append(self.ok_or_eof())
        self.stream.write_many(packets)
        await self.stream.drain()


class _ProxyServer(MysqlServer):
    def __init__(self, upstream: tuple[str, int]) -> None:
        super().__init__()
        self.upstream = upstream
        self.capabilities |= Capabilities.CLIENT_FOUND_ROWS  # mysql-mimic does not offer it

    async def _client_connected_cb(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = _Upstream(*self.upstream)
        connection = _ProxyConnection(stream=MysqlStream(reader, writer), session=session, control=self.control,
                                      identity_provider=self.identity_provider, server_capabilities=self.capabilities)
        connection.connection_id = await self.control.add(connection)
        try:
            await connection.start()
        except Exception as error:  # the client went away, or a bug of this prototype
            import logging

            logging.getLogger(__name__).debug("connection ended: %r", error, exc_info=True)
        finally:
            writer.close()
            await self.control.remove(connection.connection_id)
            await session.close()


class Proxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.host, self.port = HOST, 0
        self._loop = asyncio.new_event_loop()
        self._server = _ProxyServer((upstream_host, upstream_port))
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._server.start_server(host=HOST, port=0))
            self.port = self._server.sockets()[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def start_proxy(upstream_host: str, upstream_port: int) -> Proxy:
    return Proxy(upstream_host, upstream_port)
