"""One benchmark configuration = one child process, measured from spawn to its last orphan.

Every configuration runs in a process of its own, one at a time, so a figure never carries
another configuration's browser, caches or garbage. This module spawns the child, samples its
process tree while it runs (:class:`process_tree.TreeSampler`), enforces a time limit (killing
the whole tree if it overruns), reaps every orphan Chromium leaves behind and returns the
measurement: wall times, exact tree CPU, machine-wide CPU windows, memory samples, load.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from process_tree import (
    TreeSample,
    TreeSampler,
    kill_tree,
    reap_orphans,
    reaped_cpu_s,
)
from stand_in_portal import PortalProcess

OUTPUT_TAIL_CHARS = 4000
#: let the machine settle between configurations (page cache writes, dying processes)
SETTLE_S = 1.0


@dataclass(frozen=True, kw_only=True, slots=True)
class CpuWindow:
    """Machine-wide CPU over a window, with the portal's and our own share taken out."""

    seconds: float
    client_cpu_s: float  #: machine busy − portal − benchmark process
    machine_busy_fraction: float  #: busy / (cores × window), everything on the machine


@dataclass(frozen=True, kw_only=True)
class ChildMeasurement:
    """What one configuration's child cost and said."""

    started_at: float  #: epoch seconds, just before the spawn
    ended_at: float  #: epoch seconds, when the child exited
    returncode: int | None  #: None when it was killed for overrunning
    stdout: str
    stderr_tail: str
    tree_cpu_s: float  #: exact: every process of the tree, zygotes included
    samples: Sequence[TreeSample]
    cpu_by_kind: dict[str, float]  #: sampled per process: shares, not an exact total
    killed_orphans: Sequence[int]
    loadavg_before: tuple[float, float, float]
    loadavg_after: tuple[float, float, float]

    @property
    def wall_s(self) -> float:
        return self.ended_at - self.started_at

    def peak_pss_mb(self, since: float = 0.0, until: float = float("inf")) -> float:
        values = [s.pss_mb for s in self.samples if s.pss_mb is not None and since <= s.at <= until]
        return max(values, default=0.0)

    def peak_rss_mb(self) -> float:
        return max((s.rss_mb for s in self.samples), default=0.0)

    def cpu_window(self, start: float, end: float) -> CpuWindow | None:
        """Machine-wide CPU between two epoch times (nearest samples); None without samples."""
        inside = [s for s in self.samples if start <= s.at <= end]
        if len(inside) < 2:
            return None
        first, last = inside[0], inside[-1]
        seconds = last.at - first.at
        busy = last.machine_busy_s - first.machine_busy_s
        client = (
            busy - (last.portal_cpu_s - first.portal_cpu_s) - (last.own_cpu_s - first.own_cpu_s)
        )
        cores = os.cpu_count() or 1
        return CpuWindow(
            seconds=seconds,
            client_cpu_s=client,
            machine_busy_fraction=busy / (cores * seconds) if seconds > 0 else 0.0,
        )


def measure_child(
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    portal: PortalProcess,
    timeout_s: float,
    cwd: str | None = None,
) -> ChildMeasurement:
    """Run ``command`` to completion (or ``timeout_s``) and measure its whole process tree.

    The caller must have made this process a subreaper (:func:`process_tree.become_subreaper`).
    """
    time.sleep(SETTLE_S)
    keep = {portal.pid}
    reap_orphans(keep)  # nothing of a previous configuration may be counted here
    sampler = TreeSampler(exclude=keep, portal_cpu_s=portal.cpu_seconds)
    loadavg_before = os.getloadavg()
    cpu_before = reaped_cpu_s()
    sampler.start()
    started_at = time.time()
    child = subprocess.Popen(
        list(command),
        env=dict(env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    returncode: int | None
    try:
        stdout, stderr = child.communicate(timeout=timeout_s)
        returncode = child.returncode
    except subprocess.TimeoutExpired:
        kill_tree(keep)
        stdout, stderr = child.communicate()
        returncode = None
    except BaseException:  # stopped (Ctrl-C, SIGTERM): take the measured tree down with us
        kill_tree(keep)
        child.wait()
        sampler.stop()
        raise
    ended_at = time.time()
    killed = reap_orphans(keep)
    sampler.stop()
    tree_cpu_s = reaped_cpu_s() - cpu_before
    return ChildMeasurement(
        started_at=started_at,
        ended_at=ended_at,
        returncode=returncode,
        stdout=stdout,
        stderr_tail=stderr[-OUTPUT_TAIL_CHARS:],
        tree_cpu_s=tree_cpu_s,
        samples=tuple(sampler.samples),
        cpu_by_kind=sampler.cpu_by_kind(),
        killed_orphans=tuple(killed),
        loadavg_before=loadavg_before,
        loadavg_after=os.getloadavg(),
    )
