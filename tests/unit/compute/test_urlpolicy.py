"""Which artifact URLs and addresses the executor refuses, before and after name lookup."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from orban_desktop.compute.urlpolicy import (
    ForbiddenAddress,
    GuardedResolver,
    UrlRefused,
    address_refusal,
    check_url,
    is_loopback_host,
)

ALLOWED = [
    "https://artifacts.example/models/m.bin",
    "https://artifacts.example:8443/m?sig=abc",
    "http://127.0.0.1:8740/jobs/1/input",
    "http://127.5.6.7/x",
    "http://[::1]:8740/x",
    "http://localhost:8740/x",
    "https://10.0.0.5/lan-platform",
    "https://[2001:db8::1]/x",
]

REFUSED = [
    ("file:///etc/passwd", "scheme"),
    ("ftp://artifacts.example/x", "scheme"),
    ("gopher://127.0.0.1/x", "scheme"),
    ("artifacts.example/x", "scheme"),
    ("http://artifacts.example/x", "plain http://"),
    ("http://192.168.1.1/x", "plain http://"),
    ("https://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("https://169.254.10.20/x", "link-local"),
    ("https://[fe80::1]/x", "link-local"),
    ("https://[::ffff:169.254.169.254]/x", "metadata"),
    ("https://[fd00:ec2::254]/x", "metadata"),
    ("https://100.100.100.200/x", "metadata"),
    ("https://metadata.google.internal/computeMetadata/v1/", "metadata"),
    ("https://0.0.0.0/x", "unspecified"),
    ("https://[::]/x", "unspecified"),
    ("https://224.0.0.1/x", "multicast"),
    ("https://2852039166/x", "numeric"),
    ("https://0xa9fea9fe/x", "numeric"),
    ("https://169.254.43518/x", "numeric"),
    ("https://user:secret@artifacts.example/x", "password"),
    ("https:///x", "no host"),
    ("https://artifacts.example:99999/x", "not a valid URL"),
]


@pytest.mark.parametrize("url", ALLOWED)
def test_allowed_urls_pass(url: str) -> None:
    assert check_url(url) == url


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_refused_urls_say_why(url: str, why: str) -> None:
    with pytest.raises(UrlRefused, match=why):
        check_url(url, what="model URL")


def test_the_message_names_what_the_url_was_for() -> None:
    with pytest.raises(UrlRefused, match="the output URL"):
        check_url("file:///tmp/x", what="output URL")


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("169.254.169.254", True),
        ("169.254.1.1", True),
        ("fe80::abcd", True),
        ("::ffff:169.254.1.1", True),
        ("0.0.0.0", True),
        ("ff02::1", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("93.184.216.34", False),
        ("2606:4700::1111", False),
    ],
)
def test_address_refusal(address: str, refused: bool) -> None:
    assert (address_refusal(ipaddress.ip_address(address)) is not None) is refused


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("localhost", True), ("LOCALHOST.", True), ("127.9.9.9", True), ("[::1]", True),
     ("10.0.0.1", False), ("example.com", False)],
)  # fmt: skip
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


class TableResolver(AbstractResolver):
    """Answers from a fixed table: stands in for DNS, which tests cannot control."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.closed = False

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(hostname=host, host=address, port=port, family=family, proto=0, flags=0)
            for address in self.table[host]
        ]

    async def close(self) -> None:
        self.closed = True


async def test_guarded_resolver_refuses_a_name_that_resolves_to_metadata() -> None:
    resolver = GuardedResolver(TableResolver({"evil.example": ["8.8.8.8", "169.254.169.254"]}))
    with pytest.raises(ForbiddenAddress, match=r"evil\.example resolves to 169\.254\.169\.254"):
        await resolver.resolve("evil.example", 443)


async def test_guarded_resolver_refuses_link_local_ipv6() -> None:
    resolver = GuardedResolver(TableResolver({"router.example": ["fe80::1"]}))
    with pytest.raises(ForbiddenAddress, match="link-local"):
        await resolver.resolve("router.example", 443)


async def test_guarded_resolver_refuses_localhost_that_is_not_loopback() -> None:
    resolver = GuardedResolver(TableResolver({"localhost": ["192.168.1.20"]}))
    with pytest.raises(ForbiddenAddress, match="not a loopback"):
        await resolver.resolve("localhost", 80)


async def test_guarded_resolver_passes_ordinary_answers_and_closes_the_inner_one() -> None:
    inner = TableResolver({"cdn.example": ["93.184.216.34", "2606:2800:220:1::1"]})
    resolver = GuardedResolver(inner)
    results = await resolver.resolve("cdn.example", 443)
    assert [r["host"] for r in results] == ["93.184.216.34", "2606:2800:220:1::1"]
    await resolver.close()
    assert inner.closed
