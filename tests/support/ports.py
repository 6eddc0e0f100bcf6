"""Free loopback ports for the servers tests start (and closed ones to connect to)."""

import socket


def free_port() -> int:
    """A port nothing listens on right now: the probe that found it is closed again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
