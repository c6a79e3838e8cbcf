"""Confine a process that runs queries: no network, and a memory cap it cannot outgrow.

Why here and not only in the guard: the guard reads every query by the grammar and refuses
``SERVICE`` and ``LOAD``, but pyoxigraph would fetch any URL a query reaching it names, and
evaluates a 300-byte query into gigabytes. So the processes that run queries (the server's
workers, the child that ``offri query`` and the notebook API use) confine themselves before
they take any work:

- **No network**: a seccomp filter (libseccomp, through pyseccomp) makes ``socket()`` fail with
  EACCES for every address family but Unix sockets (the worker's pipe to its parent), and
  refuses ``io_uring_setup`` (a way to open sockets without ``socket()``). DNS needs a socket
  too, so no name is resolved either. Where seccomp is not available (not Linux, no
  libseccomp) ``confine`` says so and the guard is the only wall; ``offri serve`` logs it.
- **Memory**: a watchdog thread reads the process's resident size every 10 ms and ends the
  process with ``MEMORY_EXIT`` when it passes the cap. Resident size, not address space:
  RocksDB and thread stacks reserve far more than they touch, and an address-space limit
  would refuse them. The parent reads the exit code and answers "memory limit" in words.
"""

from __future__ import annotations

import errno
import logging
import multiprocessing as mp
import os
import socket
import threading

#: Exit code of a process the memory watchdog stopped (the parent tells it from a crash).
MEMORY_EXIT = 86

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
log = logging.getLogger("offri.sandbox")


def deny_network() -> str | None:
    """Forbid this process (and threads it starts) to open any socket but a Unix one.
    Returns None when applied, else why it could not be (the caller decides how loud)."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as exc:  # no libseccomp.so.2
        return f"seccomp unavailable ({exc})"
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        refuse = seccomp.ERRNO(errno.EACCES)
        rules.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        rules.add_rule(refuse, "socketpair", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        try:  # io_uring can open sockets without socket(2); an old libseccomp may not know it
            rules.add_rule(refuse, "io_uring_setup")
            uring = None
        except (OSError, RuntimeError, ValueError) as exc:
            uring = f"io_uring not refused ({exc})"
        rules.load()
    except (OSError, RuntimeError, ValueError) as exc:
        return f"seccomp filter not loaded ({exc})"
    return uring


def resident_bytes() -> int:
    """This process's resident set size (from /proc: one small read)."""
    try:
        with open("/proc/self/statm", "rb") as stream:
            return int(stream.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def watch_memory(limit: int, interval: float = 0.01) -> threading.Thread | None:
    """Start the watchdog that ends this process with ``MEMORY_EXIT`` once its resident size
    passes ``limit`` bytes (None or 0: no cap)."""
    if not limit or not os.path.exists("/proc/self/statm"):
        return None

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(interval):
            if resident_bytes() > limit:
                os._exit(MEMORY_EXIT)  # noqa: SLF001 - the only way out of a query that holds the memory

    thread = threading.Thread(target=watch, name="offri-memory-watchdog", daemon=True)
    thread.start()
    return thread


def size_text(value: int) -> str:
    """Bytes as a person reads a memory cap (1 GB, 300 MB)."""
    if value >= 1024**3 and value % 1024**3 == 0:
        return f"{value // 1024**3} GB"
    return f"{value / 1024**2:.0f} MB"


_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_size(text: str) -> int:
    """A memory size as a person writes it: ``1G``, ``300M``, ``1.5GB``, ``512MiB`` or bytes.
    Raises ValueError for anything else (the caller says what is wrong, in words)."""
    import re

    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if match is None:
        raise ValueError(text)
    value = int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    if value <= 0:
        raise ValueError(text)
    return value


def confine(memory_limit: int | None) -> list[str]:
    """Everything above, for a query process about to take work: proxies forgotten (they
    would be the network's way in, should anything get a socket), no network, the memory
    watchdog. Returns what could not be applied (empty: all of it)."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        os.environ.pop(name, None)
    os.environ["RUST_BACKTRACE"] = "0"  # an engine abort prints one line, not pages
    missing = []
    refused = deny_network()
    if refused:
        missing.append(refused)
    watch_memory(memory_limit or 0)
    return missing


_PREPARING = threading.Lock()


def _lean_popen(popen: type, process_obj: mp.process.BaseProcess) -> object:
    """Start ``process_obj`` with ``popen`` without the parent's ``__main__`` in its
    preparation data (multiprocessing has no switch for it: the module's function is swapped
    for this one start, under a lock)."""
    from multiprocessing import spawn

    original = spawn.get_preparation_data

    def lean(name: str) -> dict:
        data = original(name)
        data.pop("init_main_from_name", None)
        data.pop("init_main_from_path", None)
        return data

    with _PREPARING:
        spawn.get_preparation_data = lean
        try:
            return popen(process_obj)
        finally:
            spawn.get_preparation_data = original


class _LeanSpawn(mp.context.SpawnProcess):
    @staticmethod
    def _Popen(process_obj):  # noqa: ANN001, ANN205, N802 - multiprocessing's own hook
        from multiprocessing import popen_spawn_posix

        return _lean_popen(popen_spawn_posix.Popen, process_obj)


class _LeanForkServer(mp.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):  # noqa: ANN001, ANN205, N802 - multiprocessing's own hook
        from multiprocessing import popen_forkserver

        return _lean_popen(popen_forkserver.Popen, process_obj)


def LeanProcess(method: str, **kwargs: object) -> mp.process.BaseProcess:  # noqa: N802 - a class, to its callers
    """A ``spawn`` or ``forkserver`` process that does not import its parent's ``__main__``
    first, as multiprocessing otherwise does: a query process needs ``offri_kg.query.worker``
    alone, a script read from stdin has no ``__main__`` file to import (every query would
    die), and the CLI's or a test runner's imports cost 0.3 s and more a start (measured:
    0.02 s without)."""
    return {"spawn": _LeanSpawn, "forkserver": _LeanForkServer}[method](**kwargs)
