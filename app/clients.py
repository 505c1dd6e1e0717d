"""Who is asking: the client address as a keyed hash, for rate limits and logs; never kept in clear."""

import hashlib
import hmac
import ipaddress

from flask import current_app, request

# A resident's phone on IPv6 usually owns a whole /64 and may change address within it at will,
# so an IPv6 client is its /64 network; an IPv4 address is a household, a café or a school.
IPV6_CLIENT_PREFIX = 64
ENVIRON_KEY = "lyssna.client_key"


def client_network(address: str | None) -> str:
    """The part of an address that identifies one client: the IPv4 address, or the IPv6 /64."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(ip)


def client_key() -> str:
    """An opaque key for the current request's client: an HMAC of its address under the secret key.

    The same client gets the same key in every worker and instance that shares SECRET_KEY, so rate
    limits kept in Redis hold across them, while neither Redis nor the logs ever see the address.
    """
    known = request.environ.get(ENVIRON_KEY)
    if known is None:  # each limit asks for it: work it out once per request
        secret = current_app.config["SECRET_KEY"].encode()
        network = client_network(request.remote_addr).encode()
        known = request.environ[ENVIRON_KEY] = hmac.new(
            secret, b"lyssna-client:" + network, hashlib.sha256
        ).hexdigest()[:32]
    return known
