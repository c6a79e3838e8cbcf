"""One query worker process as the server sees it: its socket, what runs in it, how it ended.

The pool (``offri_kg.web.workers``) decides what runs where; this is the wire to one process:
messages framed as ``multiprocessing.Connection`` frames them (what the worker reads), read and
written on the event loop, and the process's exit told apart (over its memory, or a crash).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import socket
import struct
from collections.abc import Callable
from multiprocessing.reduction import ForkingPickler
from typing import TYPE_CHECKING

from offri_kg.query.sandbox import MEMORY_EXIT, LeanProcess
from offri_kg.query.worker import worker_main

if TYPE_CHECKING:
    from offri_kg.web.lanes import Batch


class WorkerDied(Exception):
    """The worker running a batch went away; ``cause``: "memory" or "crash"; ``slow``: the
    batch had run long already (in the slow lane)."""

    def __init__(self, cause: str, slow: bool = False) -> None:
        super().__init__(cause)
        self.cause, self.slow = cause, slow


class WorkerProcess:
    """One worker process, as the server sees it: what runs in it, and whether it is sealed
    (takes no new work: it runs a slow batch, or a batch alone)."""

    def __init__(self, ctx: mp.context.BaseContext, memory: int, kind: str, slow_after: float = 0.0) -> None:
        self._conn, child = ctx.Pipe()
        self.process = LeanProcess("forkserver", target=worker_main,
                                   args=(child, memory, False, slow_after, kind != "pages"), daemon=True)
        self.process.start()
        child.close()
        self.running: dict[int, Batch] = {}
        self.kind = kind  # "pages", "queries", "heavy" (clients stopped lately) or "solo" (one batch)
        self.sealed = kind == "solo"
        self.alive = True
        self.missing: list[str] = []
        self._writer: asyncio.StreamWriter | None = None
        self._outbox: list[bytes] = []
        self.reading: asyncio.Task | None = None

    def live(self) -> int:
        return sum(1 for b in self.running.values() if not b.abandoned)

    async def open(self, on_reply: Callable[[WorkerProcess, Batch, list], None],
                   on_exit: Callable[[WorkerProcess], None], on_cpu: Callable[[Batch, float], None]) -> None:
        """Connect the worker's socket to the event loop, read its hello, start reading."""
        sock = socket.socket(fileno=os.dup(self._conn.fileno()))
        reader, self._writer = await asyncio.open_connection(sock=sock, limit=2**20)
        hello = ForkingPickler.loads(await _read_frame(reader))
        self.missing = list(hello[1]) if hello and hello[0] == "hello" else []
        self.reading = asyncio.create_task(self._read(reader, on_reply, on_exit, on_cpu))

    async def _read(self, reader: asyncio.StreamReader, on_reply: Callable[[WorkerProcess, Batch, list], None],
                    on_exit: Callable[[WorkerProcess], None], on_cpu: Callable[[Batch, float], None]) -> None:
        try:
            while True:
                ident, replies = ForkingPickler.loads(await _read_frame(reader))
                if ident == "cpu":  # CPU seconds used by the batches told to yield
                    for used_by, seconds in replies.items():
                        if (batch := self.running.get(used_by)) is not None:
                            on_cpu(batch, seconds)
                    continue
                batch = self.running.pop(ident, None)
                if batch is not None:
                    on_reply(self, batch, replies)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass  # the worker went away (killed, crashed, or over its memory)
        except Exception:  # noqa: BLE001 - a reply that cannot be read: the stream is lost
            self.process.kill()
        self.alive = False
        if self._writer is not None:
            self._writer.close()
        on_exit(self)

    def send(self, message: tuple) -> None:
        """Queue ``message``; all messages of one turn of the event loop go in one write."""
        if not self.alive or self._writer is None or self._writer.is_closing():
            raise WorkerDied("crash")
        if not self._outbox:
            asyncio.get_running_loop().call_soon(self._flush)
        self._outbox.append(_frame(ForkingPickler.dumps(message)))

    def _flush(self) -> None:
        frames, self._outbox = self._outbox, []
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(b"".join(frames))

    def kill(self) -> None:
        """Stop the process now (its reader then reports the exit)."""
        self.alive = False
        try:
            self.process.kill()
        except (OSError, ValueError):
            pass

    def cause_of_exit(self) -> str:
        """Why the process ended (call off the event loop: the kernel may take a while to
        tear down a process that held a gigabyte)."""
        self.process.join(timeout=10)
        return "memory" if self.process.exitcode == MEMORY_EXIT else "crash"


def _frame(payload: bytes) -> bytes:
    """``payload`` framed as ``multiprocessing.Connection`` frames it (what the worker reads)."""
    if len(payload) > 0x7FFFFFFF:
        return struct.pack("!i", -1) + struct.pack("!Q", len(payload)) + payload
    return struct.pack("!i", len(payload)) + payload


async def _read_frame(reader: asyncio.StreamReader) -> bytes:
    """One ``multiprocessing.Connection`` frame from the worker."""
    (size,) = struct.unpack("!i", await reader.readexactly(4))
    if size == -1:
        (size,) = struct.unpack("!Q", await reader.readexactly(8))
    return await reader.readexactly(size)
