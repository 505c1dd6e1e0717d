"""Where webhooks may send, and sending there: in production only https, and only to public addresses.

A webhook makes this server send requests where someone told it to, so in production it refuses
plain http (LYSSNA_WEBHOOKS_ALLOW_HTTP=1 allows it) and any address that is not public: loopback,
private networks, link-local (the cloud metadata service at 169.254.169.254), multicast, reserved
(LYSSNA_WEBHOOKS_ALLOW_PRIVATE=1 allows them, for a receiver on the city's own network). The name
is resolved when the hook is added and again at every delivery, and the request goes to the very
address that was checked, so a name that later resolves elsewhere (DNS rebinding) gains nothing.
Redirects are not followed. In development anything goes, so that a receiver on localhost works.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

MAX_URL = 2000
READ_AT_MOST = 64 * 1024  # of a receiver's answer: only its status matters


class TargetError(ValueError):
    """A URL webhooks may not send to; the message says why."""


@dataclass(frozen=True)
class Rules:
    """What the configuration allows."""

    http: bool
    private: bool

    @classmethod
    def current(cls) -> Rules:
        """The rules of the running app: everything in development; production's unless allowed."""
        config = current_app.config
        development = config.get("LYSSNA_ENV") != "production"
        return cls(
            http=development or config["LYSSNA_WEBHOOKS_ALLOW_HTTP"],
            private=development or config["LYSSNA_WEBHOOKS_ALLOW_PRIVATE"],
        )


def check(url: str, rules: Rules | None = None) -> None:
    """Raise TargetError unless webhooks may send to `url` (its name resolved now, where it matters)."""
    rules = rules or Rules.current()
    parts = _parts(url, rules)
    if not rules.private:
        addresses(parts.hostname, parts.port or 443, rules)


def _parts(url: str, rules: Rules):
    if len(url) > MAX_URL:
        raise TargetError(f"A webhook URL has at most {MAX_URL} characters.")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise TargetError("A webhook URL starts with https:// and names a host.")
    if parts.scheme == "http" and not rules.http:
        raise TargetError(
            "Webhooks send only to https:// addresses (LYSSNA_WEBHOOKS_ALLOW_HTTP=1 allows http)."
        )
    if parts.username or parts.password:
        raise TargetError("A webhook URL carries no user name or password: the signature proves the sender.")
    try:
        parts.port  # noqa: B018  (raises for a port that is not a number)
    except ValueError:
        raise TargetError("The port of the webhook URL is not a number.") from None
    return parts


def is_public(address: str) -> bool:
    """True for an address on the public internet (not loopback, private, link-local, reserved, ...)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def addresses(host: str, port: int, rules: Rules) -> list[str]:
    """The addresses `host` resolves to; TargetError when it does not, or (unless private addresses
    are allowed) when any of them is not public."""
    try:
        found = [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    except (socket.gaierror, UnicodeError):
        raise TargetError(f"The host {host} cannot be found.") from None
    if not rules.private:
        refused = [address for address in found if not is_public(address)]
        if refused:
            raise TargetError(
                f"{host} is a private, local or reserved address ({refused[0]}): webhooks send only to "
                "public addresses (LYSSNA_WEBHOOKS_ALLOW_PRIVATE=1 allows others)."
            )
    return list(dict.fromkeys(found))


def post(url: str, body: bytes, headers: dict[str, str], timeout: float, rules: Rules | None = None) -> int:
    """POST `body` to `url` under the rules; the status of the answer (OSError, TargetError on failure)."""
    rules = rules or Rules.current()
    parts = _parts(url, rules)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    pinned = None if rules.private else addresses(parts.hostname, port, rules)[0]
    kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
    connection = kind(parts.hostname, port, timeout=timeout)
    if pinned is not None:  # connect to the address that was checked; TLS still checks the name
        connection._create_connection = lambda address, *args, **kwargs: socket.create_connection(
            (pinned, address[1]), *args, **kwargs
        )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(READ_AT_MOST)
        return answer.status
    finally:
        connection.close()
