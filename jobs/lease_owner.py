"""Who holds a lease, and is that process still alive? (design §4.4)

A lease owner is ``host/pid/start-epoch``. On its own host a worker can tell for sure that the
owner is gone (no such pid, or a pid reused by a process started at another time), and take its
leases over at once instead of waiting for them to expire.
"""

from __future__ import annotations

import os
import socket

import psutil


def this_worker() -> str:
    """The lease owner name of this process."""
    started = int(psutil.Process().create_time())
    return f"{socket.gethostname()}/{os.getpid()}/{started}"


def owner_prefix() -> str:
    """Owners on this host start with this."""
    return f"{socket.gethostname()}/"


def owner_is_alive(owner: str) -> bool:
    """False only when the owner is surely dead; anything unparsable counts as alive."""
    try:
        _host, pid_text, started_text = owner.rsplit("/", 2)
        pid, started = int(pid_text), int(started_text)
    except ValueError:
        return True
    try:
        process = psutil.Process(pid)
        return int(process.create_time()) == started and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.Error:
        return True
