"""Lists of networks typed in settings (``"10.1.0.0/16, 192.168.5.7"``), read without Flask or
requests, so that reading the settings stays cheap (``lti_tool.outgoing`` uses them)."""

from __future__ import annotations

import ipaddress

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(raw: str) -> tuple[IPNetwork, ...]:
    """``"10.1.0.0/16, 192.168.5.7"`` -> networks; raises ValueError naming a bad entry."""
    networks = []
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(
                f"{part!r} is not a network (write 10.0.0.0/8 or 192.168.1.5)"
            ) from None
    return tuple(networks)
