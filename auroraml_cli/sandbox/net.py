"""Listening sockets for the sandbox's servers: loopback only, bound in the caller's thread."""

from __future__ import annotations

import ipaddress
import socket


def listen_loopback(host: str, port: int, what: str) -> socket.socket:
    """A listening socket on an IPv4 loopback address. The sandbox has no real authentication
    (anyone who reaches it can drive it), so any other address is refused with ValueError.
    Binding here, in the caller's thread, makes a taken port raise OSError to the caller instead
    of ending a server thread with a message on stderr."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback and ":" not in host
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"{what} listens only on an IPv4 loopback address such as 127.0.0.1, not {host!r}")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug does
    try:
        listener.bind((host, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener
