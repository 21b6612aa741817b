"""What `server` names, as the CLI's --server takes it, turned into a grpcio target."""

from __future__ import annotations

import ipaddress
import socket

from ._errors import InvalidArgument, Unavailable

DEFAULT_PORT = 50051


def _host_port(text: str) -> tuple[str, int]:
    """("host", port) from "host:port", "[v6]:port", a bare "host" or a bare "port" (127.0.0.1)."""
    if text.isdigit():
        if not 0 < int(text) < 65536:
            raise InvalidArgument(f"bad port in {text!r}", code="INVALID_ARGUMENT")
        return "127.0.0.1", int(text)
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    elif ":" in text:
        host, port = text, ""  # a bare IPv6 address
    else:
        host, port = text, ""
    if not host:
        raise InvalidArgument(f"no host in {text!r}", code="INVALID_ARGUMENT")
    if not port:
        return host, DEFAULT_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidArgument(f"bad port in {text!r}", code="INVALID_ARGUMENT")
    return host, int(port)


def _addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, as "ip" text."""
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise Unavailable(f"cannot reach {host}:{port}: no such host", code="UNAVAILABLE") from None
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen


def endpoints(server: str) -> list[tuple[str, int]]:
    """Every (address, port) that "host:port", or a comma-separated list of them, resolves to,
    in order, without repeats."""
    server = server.strip()
    if not server:
        raise InvalidArgument("no server given", code="INVALID_ARGUMENT")
    found: list[tuple[str, int]] = []
    for part in server.split(","):
        host, port = _host_port(part.strip())
        found += [(address, port) for address in _addresses(host, port) if (address, port) not in found]
    return found


def address_list(found: list[tuple[str, int]]) -> str:
    """A grpcio target of exactly these addresses, in this order."""
    if all(":" not in address for address, _ in found):
        return "ipv4:" + ",".join(f"{address}:{port}" for address, port in found)
    # IPv6, or both families: IPv4 addresses as IPv4-mapped IPv6 ones.
    return "ipv6:" + ",".join(
        f"[{address if ':' in address else '::ffff:' + address}]:{port}" for address, port in found
    )


def grpc_target(server: str) -> str:
    """The grpcio target for `server`: "unix:PATH" and "dns:///NAME:PORT" as they are; one
    "host:port", or a comma-separated list of them, as the addresses they resolve to, so the
    round-robin policy spreads calls over every one."""
    server = server.strip()
    if server.startswith("unix:") or server.startswith("dns:"):
        return server
    return address_list(endpoints(server))


def by_match(found: list[tuple[str, int]], id: str) -> list[tuple[str, int]]:
    """The servers in the order match `id` tries them: highest random weight first (rendezvous
    hashing: FNV-1a 64 of "ID@ADDRESS:PORT", then MurmurHash3's finaliser), as `soccer
    --route-by-match` orders them. Every client puts a match's calls on the same server, and
    when one goes only its matches move."""

    mask = 0xFFFFFFFFFFFFFFFF

    def weight(endpoint: tuple[str, int]) -> int:
        value = 0xCBF29CE484222325
        for byte in f"{id}@{endpoint[0]}:{endpoint[1]}".encode():
            value = ((value ^ byte) * 0x100000001B3) & mask
        # MurmurHash3's finaliser: names that differ in their last bytes get unrelated weights.
        value ^= value >> 33
        value = (value * 0xFF51AFD7ED558CCD) & mask
        value ^= value >> 33
        value = (value * 0xC4CEB9FE1A85EC53) & mask
        return value ^ (value >> 33)

    return sorted(found, key=weight, reverse=True)
