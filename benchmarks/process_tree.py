"""What a benchmark child costs: CPU and memory of its whole process tree, Chromium included.

Chromium makes both easy to get wrong (``reference/browser-limits.md``):

- CPU: ``getrusage(RUSAGE_CHILDREN)`` alone under-counts by ~40 %, because Chromium's zygotes
  outlive the browser and are re-parented to init, so their CPU never comes back up the chain.
  We make the benchmark process a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``): every
  orphan of the tree is re-parented to us instead, we reap it, and ``RUSAGE_CHILDREN`` is then
  exact for the whole tree, whatever else runs on the machine. As a cross-check the reference's
  method is sampled too: machine-wide busy time from ``/proc/stat`` minus the portal's CPU minus
  our own (only meaningful on a quiet machine).
- Memory: summed RSS over-counts Chromium's shared pages 2.5–5×; the footprint is the sum of
  PSS (``/proc/<pid>/smaps_rollup``) over every process of the tree, sampled over time.
"""

from __future__ import annotations

import ctypes
import os
import re
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil

PR_SET_CHILD_SUBREAPER = 36
CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024
#: RSS (cheap) is read every tick; PSS (the kernel walks page tables) at most this often,
#: or whenever the RSS sum reaches a new high
SAMPLE_INTERVAL_S = 0.25
PSS_INTERVAL_S = 1.0
REAP_TIMEOUT_S = 10.0
REAP_POLL_S = 0.05
_PROCESS_TYPE = re.compile(rb"--type=([a-z-]+)")
_UNKNOWN_KINDS = frozenset({"other", "gone"})


def become_subreaper() -> None:
    """Orphans of our descendants come to us (Linux ≥ 3.4) so their CPU can be collected.

    SIGTERM is turned into ``SystemExit`` so a stopped benchmark unwinds and kills the worker or
    browser it was measuring (a plain SIGTERM left one running for the better part of an hour).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")
    signal.signal(signal.SIGTERM, _exit_on_sigterm)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def reaped_cpu_s() -> float:
    """User + system CPU of every descendant that has ended and been reaped so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu_s() -> float:
    """CPU of this benchmark process, all threads (the samplers included)."""
    return time.process_time()


def machine_busy_s() -> float:
    """Busy CPU-seconds of the whole machine since boot (``/proc/stat``, all cores)."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = stat.readline().split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_S


def tree_pids(exclude: set[int]) -> list[int]:
    """Our children (a benchmark child and orphans re-parented to us) and all their descendants."""
    pids: list[int] = []
    for child in psutil.Process().children(recursive=True):
        if child.pid in exclude:
            continue
        pids.append(child.pid)
    excluded_trees: set[int] = set()
    for pid in exclude:
        try:
            excluded_trees.update(p.pid for p in psutil.Process(pid).children(recursive=True))
        except psutil.NoSuchProcess:
            continue
    return [pid for pid in pids if pid not in excluded_trees]


def reap_orphans(keep: set[int], *, timeout_s: float = REAP_TIMEOUT_S) -> list[int]:
    """Wait for every child of ours but ``keep`` to end and reap it; kill what outlives the wait.

    Returns the pids that had to be killed (they should be none: a report names them).
    """
    killed: list[int] = []
    for last_round in (False, True):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            children = [c.pid for c in psutil.Process().children() if c.pid not in keep]
            if not children:
                return killed
            for pid in children:
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    continue
            time.sleep(REAP_POLL_S)
        if last_round:
            break
        for pid in [c.pid for c in psutil.Process().children() if c.pid not in keep]:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                continue
    return killed


def kill_tree(exclude: set[int]) -> None:
    """SIGKILL every process of the benchmark child's tree (a run that overran its time)."""
    for pid in tree_pids(exclude):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue


@dataclass(frozen=True, kw_only=True, slots=True)
class TreeSample:
    """One tick: when, the tree's memory, and the CPU counters the window figures come from."""

    at: float  #: epoch seconds
    processes: int
    rss_mb: float  #: sum over the tree (over-counts shared pages)
    pss_mb: float | None  #: sum over the tree; None on ticks where PSS was not read
    machine_busy_s: float
    portal_cpu_s: float
    own_cpu_s: float


@dataclass(kw_only=True)
class TreeSampler:
    """Samples the benchmark child's tree on a thread until stopped; keeps every sample."""

    exclude: set[int]  #: the portal process: not part of what is measured
    portal_cpu_s: Callable[[], float]
    interval_s: float = SAMPLE_INTERVAL_S
    samples: list[TreeSample] = field(default_factory=list)
    #: pid → (kind, CPU seconds last seen): where the CPU went, per kind of process
    process_cpu: dict[int, tuple[str, float]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def cpu_by_kind(self) -> dict[str, float]:
        """CPU seconds per kind of process (python, node driver, browser, renderer, gpu...).

        Sampled per pid, so the last tick before each process ended is what counts: a slight
        under-count, good for shares, not for totals (:func:`reaped_cpu_s` is exact).
        """
        totals: dict[str, float] = {}
        for kind, seconds in self.process_cpu.values():
            totals[kind] = totals.get(kind, 0.0) + seconds
        return dict(sorted(totals.items(), key=lambda item: -item[1]))

    def _run(self) -> None:
        peak_rss = 0.0
        last_pss = 0.0
        while not self._stop.is_set():
            pids = tree_pids(self.exclude)
            rss = sum(_rss_mb(pid) for pid in pids)
            for pid in pids:
                seconds = _cpu_s(pid)
                if seconds is not None:
                    # classified every tick: a process may exec (Debian's chromium wrapper) or
                    # retitle itself (a zygote's fork becoming a renderer) after we first saw it;
                    # a zombie has no command line left: it keeps the kind it had
                    kind = _kind(pid)
                    known = self.process_cpu.get(pid)
                    if known is not None and kind in _UNKNOWN_KINDS:
                        kind = known[0]
                    self.process_cpu[pid] = (kind, seconds)
            now = time.monotonic()
            pss: float | None = None
            if rss > peak_rss or now - last_pss >= PSS_INTERVAL_S:
                pss = sum(_pss_mb(pid) for pid in pids)
                last_pss = now
                peak_rss = max(peak_rss, rss)
            try:
                portal = self.portal_cpu_s()
            except psutil.Error:
                portal = 0.0
            self.samples.append(
                TreeSample(
                    at=time.time(),
                    processes=len(pids),
                    rss_mb=rss,
                    pss_mb=pss,
                    machine_busy_s=machine_busy_s(),
                    portal_cpu_s=portal,
                    own_cpu_s=own_cpu_s(),
                )
            )
            self._stop.wait(self.interval_s)


def _cpu_s(pid: int) -> float | None:
    """User + system CPU of one process (all threads), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS_PER_S


def _kind(pid: int) -> str:
    """What a process of the tree is, from its command line."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            raw = cmdline.read()
    except OSError:
        return "gone"
    argv = raw.split(b"\0")
    program = os.path.basename(argv[0].split(b" ")[0].decode(errors="replace"))
    if program.startswith("python"):
        return "python"
    if program == "node":
        return "node driver"
    # zygote children rewrite their title into one space-separated string: search all of it
    found = _PROCESS_TYPE.search(raw)
    if found is not None:
        kind = found.group(1).decode(errors="replace")
        return "utility (network, storage)" if kind == "utility" else kind
    return "browser" if "chrom" in program else program or "other"


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * PAGE_BYTES / MB
    except (OSError, IndexError, ValueError):
        return 0.0  # ended between the listing and the read, or a zombie


def _pss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return 0.0
    return 0.0
