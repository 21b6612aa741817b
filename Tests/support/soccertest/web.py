"""A server's web port: its address, plain HTTP requests and the frame stream's parts."""

from __future__ import annotations

import http.client
import ssl
from typing import Any

Address = tuple[str, str, int]


def web_address(server: Any) -> Address:
    """(scheme, host, port) of the server's "web on http://HOST:PORT/" line."""
    url = server.announced("web on ")
    scheme, rest = url.split("://")
    host, port = rest.rstrip("/").rsplit(":", 1)
    return scheme, host, int(port)


def base_url(address: Address) -> str:
    scheme, host, port = address
    return f"{scheme}://{host}:{port}"


def http_get(
    address: Address, path: str, method: str = "GET", context: ssl.SSLContext | None = None, **headers: str
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """(status, headers, body) of one request on a new connection; the headers are looked up
    case-insensitively (a proxy may lower-case their names)."""
    scheme, host, port = address
    connection = (
        http.client.HTTPSConnection(host, port, context=context, timeout=30)
        if scheme == "https"
        else http.client.HTTPConnection(host, port, timeout=30)
    )
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def stream_parts(body: bytes, boundary: bytes = b"soccerframe") -> tuple[list[tuple[dict[str, str], bytes]], bool]:
    """The parts of a multipart/x-mixed-replace body, read by their Content-Length as the viewer
    reads them, and whether the closing boundary ended it."""
    parts: list[tuple[dict[str, str], bytes]] = []
    at = 0
    while True:
        line_end = body.index(b"\r\n", at)
        line = body[at:line_end]
        if line == b"--" + boundary + b"--":
            return parts, True
        assert line == b"--" + boundary, f"no boundary at byte {at}: {line[:60]!r}"
        head_end = body.index(b"\r\n\r\n", line_end)
        headers = {}
        for header in body[line_end + 2 : head_end].decode().split("\r\n"):
            name, value = header.split(":", 1)
            headers[name.strip().lower()] = value.strip()
        start = head_end + 4
        end = start + int(headers["content-length"])
        assert body[end : end + 2] == b"\r\n", "a part does not end where its Content-Length says"
        parts.append((headers, body[start:end]))
        at = end + 2
        if at >= len(body):
            return parts, False
