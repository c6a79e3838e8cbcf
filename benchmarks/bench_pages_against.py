"""Cached pages of ``offri serve`` against the same server built from another commit, in one run.

A reorganisation of the web layer (issue 11) promised no change in behaviour or speed. This
script checks the speed part where it is easiest to see: it checks out ``--base`` into a
temporary git worktree, starts ``offri serve`` from that code and from this checkout on the same
store (the 1M store ``bench_serve.py`` caches), warms each page once, then asks both servers for
the same pages, alternating which goes first, and prints each page's median time and the ratio
new / old. Pages come from the page cache (one keep-alive connection per server), so what is
compared is the web layer itself: routing, middleware, cache lookup, headers.

    python benchmarks/bench_pages_against.py --base 318c6f9
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PAGES = ["/", "/browse/models", "/queries/q01-partnerships", "/doc/id/municipality/arendal"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(code: Path, store: Path) -> Iterator[http.client.HTTPConnection]:
    """``offri serve`` from the package in ``code`` (first on the path), until the block ends."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(code))
    server = subprocess.Popen([sys.executable, "-c", "from offri_kg.cli import main; main()", "serve", "--store",
                               str(store), "--port", str(port)], env=env, cwd=code,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            with contextlib.suppress(OSError):
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/sparql?query=ASK%7B%7D")
                if probe.getresponse().status == 200:
                    break
            time.sleep(0.1)
        else:
            raise SystemExit(f"offri serve from {code} did not start")
        yield http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=30)


def get_ms(connection: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    connection.request("GET", path)
    answer = connection.getresponse()
    answer.read()
    if answer.status != 200:
        raise SystemExit(f"{path}: HTTP {answer.status}")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the commit to compare with (e.g. 318c6f9)")
    parser.add_argument("--store", type=Path, default=HERE / "out" / "serve-store-1M",
                        help="an embedded store (default: the one bench_serve.py builds)")
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    if not (args.store / "oxigraph").is_dir():  # the layout of any commit: this script runs old code too
        raise SystemExit(f"no store at {args.store}: run benchmarks/bench_serve.py first")
    with tempfile.TemporaryDirectory(prefix="offri-base-") as scratch:
        old = Path(scratch) / "code"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--quiet", "--detach", str(old), args.base],
                       check=True)
        try:
            with serving(old, args.store) as before, serving(ROOT, args.store) as after:
                servers = {"old": before, "new": after}
                times: dict[tuple[str, str], list[float]] = {(n, p): [] for n in servers for p in PAGES}
                for name, connection in servers.items():  # each page once into the cache
                    for path in PAGES:
                        get_ms(connection, path)
                for turn in range(args.repeat):
                    for name in ("old", "new") if turn % 2 else ("new", "old"):
                        for path in PAGES:
                            times[(name, path)].append(get_ms(servers[name], path))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)
    print(f"## Cached pages: this checkout against {args.base}, {args.repeat} requests each, alternating\n")
    print("| page | old median ms | new median ms | new / old |\n|---|---:|---:|---:|")
    for path in PAGES:
        old_ms, new_ms = statistics.median(times[("old", path)]), statistics.median(times[("new", path)])
        print(f"| `{path}` | {old_ms:.3f} | {new_ms:.3f} | {new_ms / old_ms:.2f} |")


if __name__ == "__main__":
    main()
