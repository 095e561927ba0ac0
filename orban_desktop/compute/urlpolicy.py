"""Which artifact URLs the task executor may download from or upload to, checked twice.

A TASK_ASSIGN names URLs the platform chose, so a hostile or compromised platform could point
the agent at the owner's own network: a cloud metadata service, a router's link-local page, a
file on disk. :func:`check_url` refuses, before anything is sent: every scheme but ``https``
and ``http``; plain ``http`` to any host but this computer (127.0.0.0/8, ``::1``,
``localhost``); user names or passwords in the URL; non-canonical numeric hosts; link-local,
unspecified, multicast and known metadata addresses and host names. Names are checked again
after lookup: :class:`GuardedResolver` wraps an aiohttp resolver and refuses a name that
resolves to a forbidden address, and :func:`check_peer` refuses a response whose connection
ended up at one (for sessions the executor did not create). Imports aiohttp and, from the rest
of the project, only ``orban_desktop.netaddr`` (whose :func:`is_loopback_host` it re-exports);
nothing from Qt.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import urllib.parse

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from orban_desktop.netaddr import is_loopback_host as is_loopback_host

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Cloud instance metadata services (AWS, GCP, Azure, Oracle, Alibaba, ECS task metadata).
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(text)
    for text in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
METADATA_HOSTS = frozenset(
    {"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"}
)
_NUMERIC_HOST = re.compile(r"[0-9.]+|0x[0-9a-f.x]+", re.IGNORECASE)


class UrlRefused(ValueError):
    """A URL the agent will not use; the message says why. Callers convert it to their error."""


class ForbiddenAddress(OSError):
    """A host name resolved to an address the agent never connects to.

    An ``OSError`` so that aiohttp passes it through as the cause of its connection error.
    """


def address_refusal(address: IPAddress) -> str | None:
    """Why the agent never connects to ``address``, or ``None`` when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata service address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    return None


def check_url(url: str, *, what: str = "URL") -> str:
    """Return ``url`` when the agent may use it; raise :class:`UrlRefused` otherwise.

    No name lookup happens here; resolved addresses are checked by :class:`GuardedResolver`.

    Args:
        url: The URL from the platform.
        what: What the URL is for ("model URL", ...), used in the message.

    Raises:
        UrlRefused: The URL breaks one of the rules in the module docstring.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        _ = parts.port  # reading .port validates it
    except ValueError as exc:
        raise UrlRefused(f"the {what} {url[:200]!r} is not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UrlRefused(f"the {what} uses {scheme or 'no'} scheme; only https:// is allowed")
    if not host:
        raise UrlRefused(f"the {what} {url[:200]!r} has no host")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused(f"the {what} must not contain a user name or password")
    host = host.rstrip(".")
    if host in METADATA_HOSTS:
        raise UrlRefused(f"the {what} points at the cloud metadata service {host}; refused")
    try:
        address: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
        if "%" in host or _NUMERIC_HOST.fullmatch(host):
            raise UrlRefused(f"the {what} has a malformed numeric host {host!r}") from None
    if address is not None and (refusal := address_refusal(address)):
        raise UrlRefused(f"the {what} points at {host}, {refusal}; refused")
    if scheme == "http" and not is_loopback_host(host):
        raise UrlRefused(
            f"the {what} uses plain http:// to {host}; only https:// is allowed, "
            "except to this computer (127.0.0.1, ::1, localhost)"
        )
    return url


def check_peer(response: aiohttp.ClientResponse) -> None:
    """Refuse a response whose connection reached a forbidden address.

    Raises:
        ForbiddenAddress: The peer's address is link-local, metadata, unspecified or multicast.
    """
    connection = response.connection
    transport = connection.transport if connection is not None else None
    peer = transport.get_extra_info("peername") if transport is not None else None
    if not peer:
        return
    try:
        address = ipaddress.ip_address(str(peer[0]).split("%")[0])
    except ValueError:
        return
    if refusal := address_refusal(address):
        raise ForbiddenAddress(f"{response.url.host} connected to {address}, {refusal}; refused")


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses names resolving to forbidden addresses.

    Args:
        inner: The resolver doing the lookups; aiohttp's ``ThreadedResolver`` when ``None``.
    """

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self._inner = inner if inner is not None else aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            address = ipaddress.ip_address(result["host"].split("%")[0])
            refusal = address_refusal(address)
            if refusal is None and is_loopback_host(host) and not address.is_loopback:
                refusal = "not a loopback address although the name is localhost"
            if refusal is not None:
                raise ForbiddenAddress(f"{host} resolves to {address}, {refusal}; refused")
        return results

    async def close(self) -> None:
        await self._inner.close()
