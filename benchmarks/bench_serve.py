"""Load benchmark for ``offri serve``: start-up, throughput under 32 clients, memory, page cache.

In one run it:

1. builds (or reuses, cached under ``benchmarks/out/serve-store-SIZE``) an embedded store with
   the shipped examples and the synthetic graph of ``--size`` triples (``bench_store.data_file``);
2. starts ``offri serve`` on it and times process start -> first ``200`` for ``ASK {}``
   (target < 3 s);
3. times, per page type, the first (uncached) request and the median of 20 repeats (target:
   cache speed-up >= 20x);
4. drives it with ``--clients`` clients (one keep-alive connection and one thread each) for
   ``--seconds``: a mix of stored-query pages, resource pages and small SPARQL queries, then the
   SPARQL queries alone; reports count, errors, p50/p95/p99 and requests/s, and the server's
   resident memory with its worker processes (target < 1 GB); then the mix with one client,
   which shows each request type's own cost without the queue in front of the workers;
5. shows that a committed ``offri load`` invalidates the cache (a cached page changes);
6. starts Oxigraph's own server (``oxigraph serve-read-only --union-default-graph``, the same
   default graph offri uses) on a checkpoint of the same database and drives the same SPARQL
   mix with the same seeds (target: offri / Oxigraph throughput >= 0.7);
7. fairness, on both servers: N slow clients (8, then 64; each from its own loopback address
   and User-Agent) send a query that runs until the time limit, back to back (after a 429 or
   503 they wait what ``Retry-After`` says), while probe clients send ``ASK {}`` and, on offri,
   uncached catalogue pages (resource pages and a model search, never the same twice); prints
   the probes' p50/p99 (target: p99 <= 1 s on offri) and what the slow queries got.

Both servers and the load generator share the machine, so the client's own CPU use is printed
too: when it nears one core, the client, not the server, limits the request rate.

    python benchmarks/bench_serve.py                          # 1M, 32 clients, 20 s per phase
    python benchmarks/bench_serve.py --size 100k --seconds 10
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import psutil  # noqa: E402
import pyoxigraph as ox  # noqa: E402
from bench_store import data_file  # noqa: E402

from offri_kg.ingest.read import read_sources  # noqa: E402
from offri_kg.resources import example_data_files  # noqa: E402
from offri_kg.store.embedded import EmbeddedStore, generation_of  # noqa: E402
from offri_kg.store.layout import StoreLayout  # noqa: E402

PYTHON = sys.executable
OXIGRAPH = shutil.which("oxigraph", path=str(Path(PYTHON).parent)) or shutil.which("oxigraph") or "oxigraph"
HOST = "127.0.0.1"
BASE = "https://w3id.org/offri/"
OFFRI = BASE + "ns#"
SKOS_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
ARENDAL = BASE + "id/municipality/arendal"
JSON_RESULTS = "application/sparql-results+json"

#: Cheap stored queries for the mix; True when the query takes a ``municipality`` parameter.
STORED = {"q01-partnerships": True, "q02-roles-municipality-vs-voluntary": True, "q03-goals": True,
          "q06-anchoring": True, "q14-catalogue": False}
TARGETS = {"ready_s": 3.0, "rss_mb": 1024.0, "ratio": 0.7, "speedup": 20.0, "probe_p99_ms": 1000.0}
#: A cross product that no engine finishes at 1M: it runs until the server's time limit.
#: The fairness phase's slow query: it computes until the time limit in little memory (a cross
#: join of every triple with the few thousand concepts: 4 MB a second measured), so it tests
#: CPU shares, not the memory cap. (A cross join of four triple patterns grows 600 MB a second:
#: offri stops it at --max-memory after 2 s; 64 of them exhaust this machine's 24 GB under
#: Oxigraph server, which has no such cap.)
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a <http://www.w3.org/2004/02/skos/core#Concept> }"
TIME_LIMIT_S = 10


# ---- the store ----------------------------------------------------------------------------------
def ensure_store(size: str, rebuild: bool) -> tuple[Path, dict]:
    """The store for ``size``, built once: loading 1M triples with validation takes minutes,
    the benchmark is about serving them. A stamp beside the store says what it was built from."""
    synthetic = data_file(size)
    store = OUT / f"serve-store-{size}"
    stamp = OUT / f"serve-store-{size}.json"
    source = {"synthetic": synthetic.name, "bytes": synthetic.stat().st_size}
    if not rebuild and stamp.exists() and StoreLayout(store).has_store():
        if json.loads(stamp.read_text()).get("source") == source:
            return store, {"built": False}
    shutil.rmtree(store, ignore_errors=True)
    started = time.perf_counter()
    kg = EmbeddedStore(store)
    try:
        kg.load(read_sources(example_data_files()), agent="bench-serve")
        kg.load(read_sources([synthetic]), agent="bench-serve")
    finally:
        kg.close()
    info = {"built": True, "build_s": time.perf_counter() - started}
    stamp.write_text(json.dumps({"source": source, **info}))
    return store, info


@dataclass
class Sample:
    """What the clients pick from at random: real IRIs and classes of the store."""

    triples: int
    municipalities: list[str]
    resources: list[str]
    classes: list[str]


def sample_store(store: Path, seed: int, per_class: int = 1500) -> Sample:
    """Municipalities with partnerships, a random sample of actors and partnerships, every
    class with instances (read before any server runs, so nothing else has the database open)."""
    db = ox.Store.read_only(str(StoreLayout(store).database))
    try:
        def column(query: str) -> list[str]:
            return sorted(row[0].value for row in db.query(query, use_default_graph_as_union=True))

        rng = random.Random(seed)
        resources = []
        for cls in ("Actor", "Partnership"):
            found = column(f"SELECT DISTINCT ?s WHERE {{ ?s a <{OFFRI}{cls}> }}")
            resources += rng.sample(found, min(per_class, len(found)))
        return Sample(
            triples=len(db),
            municipalities=column(f"SELECT DISTINCT ?m WHERE {{ ?p <{OFFRI}inMunicipality> ?m }}"),
            resources=[r for r in resources if r.startswith(BASE + "id/")],
            classes=column("SELECT DISTINCT ?c WHERE { ?x a ?c }"))
    finally:
        del db


def checkpoint_for_oxigraph(store: Path, size: str) -> Path:
    """A RocksDB checkpoint (hard links) of the store's database for Oxigraph's server, so it
    never opens the folder offri's server and ``offri load`` use."""
    target = OUT / f"serve-oxigraph-{size}"
    shutil.rmtree(target, ignore_errors=True)
    db = ox.Store.read_only(str(StoreLayout(store).database))
    try:
        db.backup(str(target))
    finally:
        del db
    return target


# ---- server processes -----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


_LOGS_STARTED: set[Path] = set()


class Server:
    """A server process this benchmark started; ``stop`` ends it and every process it forked."""

    def __init__(self, name: str, argv: list[str], port: int, probe: str, log: Path) -> None:
        self.name, self.argv, self.port, self.probe, self.log = name, argv, port, probe, log
        self.proc: subprocess.Popen | None = None
        self.peak_rss = 0

    def start(self, timeout: float = 120.0) -> float:
        """Seconds from process start until ``probe`` first answers 200."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        # a second start in this run appends, so that what ended the first stays readable
        with open(self.log, "ab" if self.log in _LOGS_STARTED else "wb") as log:
            _LOGS_STARTED.add(self.log)
            log.write(f"--- {time.strftime('%H:%M:%S')} {' '.join(self.argv)}\n".encode())
            log.flush()
            # own session: a Ctrl+C in the terminal reaches only the benchmark, which stops us
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                try:
                    conn.request("GET", self.probe, headers={"Accept": JSON_RESULTS})
                    if conn.getresponse().status == 200:
                        return time.perf_counter() - started
                finally:
                    conn.close()
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} not ready after {timeout} s:\n{self.log_tail()}")

    def exited(self) -> str | None:
        """None while the server runs; else how it ended and the end of its log (a phase in
        which the server died says so instead of reporting refused connections as its speed)."""
        if self.proc is None or self.proc.poll() is None:
            return None
        return f"{self.name} exited with {self.proc.returncode} during the phase:\n{self.log_tail(12)}"

    def tree(self) -> list[psutil.Process]:
        """The server and all its descendants (offri: the forkserver and the query workers)."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(self.proc.pid)
            return [root, *root.children(recursive=True)]
        return []

    def memory(self) -> dict:
        """RSS summed over the tree (the target's measure; counts shared pages once per
        process), and PSS (shared pages split between processes) for comparison."""
        rss = pss = 0
        processes = []
        for proc in self.tree():
            with contextlib.suppress(psutil.Error):
                info = proc.memory_full_info()
                rss += info.rss
                pss += getattr(info, "pss", 0)
                processes.append({"pid": proc.pid, "name": proc.name(), "rss_mb": info.rss / 2**20})
        self.peak_rss = max(self.peak_rss, rss)
        return {"rss_mb": rss / 2**20, "pss_mb": pss / 2**20, "peak_rss_mb": self.peak_rss / 2**20,
                "processes": processes}

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU seconds used so far by (the server process itself, its descendants): for offri,
        the main process parses, guards, renders and serialises; the workers run the queries.
        Descendants that exit during a phase (replaced workers) are not counted."""
        own = children = 0.0
        for index, proc in enumerate(self.tree()):
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                if index == 0:
                    own = times.user + times.system
                else:
                    children += times.user + times.system
        return own, children

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        """SIGINT first (uvicorn then runs the app's shutdown, which removes its checkpoint),
        then SIGKILL for whatever is left, by process id."""
        if self.proc is None:
            return
        tree = self.tree()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for proc in tree[1:]:
            with contextlib.suppress(psutil.Error):
                if proc.is_running():
                    proc.kill()
        self.proc = None


def offri_server(store: Path, workers: int | None) -> Server:
    port = free_port()
    argv = [PYTHON, "-m", "offri_kg.cli", "serve", "--store", str(store), "--host", HOST, "--port", str(port)]
    if workers:
        argv += ["--workers", str(workers)]
    return Server("offri serve", argv, port, "/sparql?query=" + quote("ASK{}"), OUT / "serve-logs" / "offri.log")


def oxigraph_server(location: Path, time_limit: bool) -> Server:
    """Oxigraph's server on ``location``; with ``time_limit``, offri's default one. Its time
    limit starts a thread per query that sleeps the whole limit (cli/src/main.rs), so at
    1,800 queries a second the process holds some 18,000 threads, runs out of memory maps
    (vm.max_map_count 65,530 here) and aborts: the throughput phase runs it without one (none of
    its queries needs it), the fairness phase, whose slow queries do, with one."""
    port = free_port()
    argv = [OXIGRAPH, "serve-read-only", "--location", str(location), "--bind", f"{HOST}:{port}",
            "--union-default-graph"] + (["--timeout-s", str(TIME_LIMIT_S)] if time_limit else [])
    return Server("oxigraph", argv, port, "/query?query=" + quote("ASK{}"), OUT / "serve-logs" / "oxigraph.log")


# ---- requests -------------------------------------------------------------------------------------
class Request(NamedTuple):
    kind: str  # "sparql:label", "page:q03-goals", "doc:actor", ...
    path: str
    accept: str


def sparql_text(sample: Sample, rng: random.Random) -> tuple[str, str]:
    """(kind, query): a label lookup, a class count or a 10-row SELECT, equally often."""
    pick = rng.randrange(3)
    if pick == 0:
        return "sparql:label", f"SELECT ?label WHERE {{ <{rng.choice(sample.resources)}> <{SKOS_LABEL}> ?label }}"
    cls = rng.choice(sample.classes)
    if pick == 1:
        return "sparql:count", f"SELECT (COUNT(?x) AS ?n) WHERE {{ ?x a <{cls}> }}"
    return "sparql:limit10", f"SELECT ?x ?p ?o WHERE {{ ?x a <{cls}> ; ?p ?o }} LIMIT 10"


def sparql_requests(sample: Sample, endpoint: str) -> Callable[[random.Random], Request]:
    def make(rng: random.Random) -> Request:
        kind, text = sparql_text(sample, rng)
        return Request(kind, f"{endpoint}?{urlencode({'query': text})}", JSON_RESULTS)

    return make


def doc_path(iri: str) -> str:
    """The page about a minted IRI: its path after the base, under /doc/."""
    return "/doc/" + quote(iri[len(BASE):])


def mixed_requests(sample: Sample) -> Callable[[random.Random], Request]:
    """A third each: stored-query pages (random municipality and language), resource pages
    (random actor or partnership), SPARQL (as ``sparql_requests``)."""
    sparql = sparql_requests(sample, "/sparql")

    def make(rng: random.Random) -> Request:
        pick = rng.randrange(3)
        if pick == 0:
            return sparql(rng)
        if pick == 1:
            query = rng.choice(list(STORED))
            params = {"lang": rng.choice(["en", "nb"])}
            if STORED[query]:
                params["municipality"] = rng.choice(sample.municipalities)
            return Request(f"page:{query}", f"/queries/{query}?{urlencode(params)}", "text/html")
        iri = rng.choice(sample.resources)
        return Request("doc:" + iri[len(BASE + "id/"):].split("/")[0], doc_path(iri), "text/html")

    return make


class Fetched(NamedTuple):
    status: int
    body: bytes
    ms: float


def fetch(conn: http.client.HTTPConnection, path: str, accept: str, agent: str = "bench") -> Fetched:
    started = time.perf_counter()
    conn.request("GET", path, headers={"Accept": accept, "User-Agent": agent})
    response = conn.getresponse()
    body = response.read()
    return Fetched(response.status, body, (time.perf_counter() - started) * 1000)


class Probe:
    """One keep-alive connection for the one-off checks. A failure becomes status 0 with the
    exception as body (and the next request gets a new connection), so that one broken page
    is reported instead of ending the run."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str, accept: str = "text/html") -> Fetched:
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            return fetch(self.conn, path, accept)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            return Fetched(0, f"{type(exc).__name__}: {exc}".encode(), (time.perf_counter() - started) * 1000)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


# ---- load -------------------------------------------------------------------------------------------
class Record(NamedTuple):
    kind: str
    ms: float
    error: str | None


def client(port: int, make: Callable[[random.Random], Request], rng: random.Random, deadline: float,
           stop: threading.Event, out: list[Record], index: int) -> None:
    """Client ``index``: one user, from a loopback address and User-Agent of its own (offri
    limits how many requests one client may have running), with one keep-alive connection,
    requests back to back until the deadline; any exception or non-2xx answer is an error (a
    new connection follows an exception)."""
    conn: http.client.HTTPConnection | None = None
    while time.perf_counter() < deadline and not stop.is_set():
        request = make(rng)
        started = time.perf_counter()
        error = None
        try:
            if conn is None:
                conn = http.client.HTTPConnection(HOST, port, timeout=60, source_address=(_source(index), 0))
            got = fetch(conn, request.path, request.accept, agent=f"bench-client-{index}")
            if not 200 <= got.status < 300:
                error = f"HTTP {got.status}: {got.body[:300].decode('utf-8', 'replace').strip()}"
        except Exception as exc:  # noqa: BLE001 - every failure is a result to report
            error = f"{type(exc).__name__}: {exc}"
            if conn is not None:
                conn.close()
            conn = None
        out.append(Record(request.kind, (time.perf_counter() - started) * 1000, error))
    if conn is not None:
        conn.close()


def drive(server: Server, make: Callable[[random.Random], Request], clients: int, seconds: float,
          seed: int) -> dict:
    """``clients`` threads for ``seconds``; the summary by request group and kind, with the
    server's and this process's CPU use (the client shares the machine with the server)."""
    records: list[list[Record]] = [[] for _ in range(clients)]
    stop = threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(server, stop), daemon=True)
    me = psutil.Process()
    cpu_server, cpu_client = server.cpu_seconds(), sum(me.cpu_times()[:2])
    started = time.perf_counter()
    deadline = started + seconds
    threads = [threading.Thread(target=client, daemon=True,
                                args=(server.port, make, random.Random(seed * 1000 + i), deadline, stop, records[i], i))
               for i in range(clients)]
    sampler.start()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)  # short joins, so Ctrl+C gets through
    finally:
        stop.set()
    elapsed = time.perf_counter() - started
    cpu_after = server.cpu_seconds()
    flat = [r for rs in records for r in rs]
    groups = {"all": flat, "sparql": [r for r in flat if r.kind.startswith("sparql")],
              "stored-query pages": [r for r in flat if r.kind.startswith("page")],
              "resource pages": [r for r in flat if r.kind.startswith("doc")]}
    kinds = sorted({r.kind for r in flat})
    return {"clients": clients, "seconds": elapsed,
            "server_cpu_pct": 100 * (sum(cpu_after) - sum(cpu_server)) / elapsed,
            "server_main_cpu_pct": 100 * (cpu_after[0] - cpu_server[0]) / elapsed,
            "client_cpu_pct": 100 * (sum(me.cpu_times()[:2]) - cpu_client) / elapsed,
            "groups": {name: summarise(rs, elapsed) for name, rs in groups.items() if rs},
            "kinds": {kind: summarise([r for r in flat if r.kind == kind], elapsed) for kind in kinds},
            "exited": server.exited()}


def sample_memory(server: Server, stop: threading.Event) -> None:
    """Keeps ``server.peak_rss`` up to date while a load phase runs."""
    while not stop.wait(0.5):
        server.memory()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def summarise(records: list[Record], elapsed: float) -> dict:
    ms = sorted(r.ms for r in records) or [float("nan")]
    errors = Counter(r.error[:200] for r in records if r.error)
    return {"count": len(records), "errors": sum(errors.values()), "rps": len(records) / elapsed,
            "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "p99_ms": percentile(ms, 99),
            "max_ms": ms[-1], "error_kinds": dict(errors.most_common(5))}


# ---- fairness ------------------------------------------------------------------------------------
def _source(index: int) -> str:
    """A loopback address of its own for client ``index`` (127.0.1.x …): the server sees them
    as different machines."""
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


def slow_client(port: int, path: str, index: int, deadline: float, stop: threading.Event,
                out: list[tuple[int, float, str]]) -> None:
    """Sends the slow query back to back from its own address and User-Agent; after a 429 or
    503 it waits what ``Retry-After`` says (at most 10 s), as a well-behaved client does."""
    headers = {"Accept": JSON_RESULTS, "User-Agent": f"slow-client-{index}"}
    while time.perf_counter() < deadline and not stop.is_set():
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=60, source_address=(_source(index), 0))
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            conn.close()
            status, wait = response.status, float(response.headers.get("Retry-After") or 0)
            text = body[:160].decode("utf-8", "replace").strip()
        except (OSError, http.client.HTTPException) as exc:
            status, wait, text = 0, 1.0, f"{type(exc).__name__}: {exc}"
        out.append((status, (time.perf_counter() - started) * 1000, text))
        if status in (429, 503) and wait:
            stop.wait(min(wait, 10.0))


def probe_client(port: int, make: Callable[[random.Random], Request], rng: random.Random, deadline: float,
                 stop: threading.Event, out: list[Record], agent: str) -> None:
    """Cheap requests, one at a time with a pause between, from 127.0.0.1 as ``agent``."""
    while time.perf_counter() < deadline and not stop.is_set():
        request = make(rng)
        started = time.perf_counter()
        error = None
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
            conn.request("GET", request.path, headers={"Accept": request.accept, "User-Agent": agent})
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status != 200:
                error = f"HTTP {response.status}: {body[:160].decode('utf-8', 'replace').strip()}"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        out.append(Record(request.kind, (time.perf_counter() - started) * 1000, error))
        stop.wait(0.2)


def fairness(server: Server, endpoint: str, sample: Sample, slow: int, seconds: float, pages: bool) -> dict:
    """``slow`` slow clients and the probes for ``seconds``; the probes start once every slow
    client has sent its first query."""
    stop = threading.Event()
    slow_out: list[list[tuple[int, float, str]]] = [[] for _ in range(slow)]
    started = time.perf_counter()
    deadline = started + seconds
    path = f"{endpoint}?{urlencode({'query': SLOW})}"
    threads = [threading.Thread(target=slow_client, args=(server.port, path, i, deadline, stop, slow_out[i]),
                                daemon=True) for i in range(slow)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)  # the slow queries are running (on offri: moved to the slow lane)
    probes: dict[str, list[Record]] = {"ASK {}": []}
    makers = {"ASK {}": lambda rng: Request("ask", f"{endpoint}?{urlencode({'query': 'ASK {}'})}", JSON_RESULTS)}
    if pages:
        words = ["frivillig", "kommune", "modell", "samarbeid", "senter", "lag", "nettverk", "helse"]
        probes["uncached pages"] = []

        def page(rng: random.Random) -> Request:
            """A resource page, a stored-query page for a municipality, or a search of the
            models: never one asked before (the page cache does not answer)."""
            pick = rng.randrange(3)
            if pick == 0:
                return Request("page:resource", doc_path(rng.choice(sample.resources)), "text/html")
            if pick == 1:
                query = rng.choice([q for q, takes in STORED.items() if takes])
                params = {"municipality": rng.choice(sample.municipalities), "lang": rng.choice(["en", "nb"])}
                return Request("page:query", f"/queries/{query}?{urlencode(params)}", "text/html")
            text = rng.choice(words) + str(rng.randrange(10**6))
            return Request("page:search", f"/browse/models?{urlencode({'q': text})}", "text/html")

        makers["uncached pages"] = page
    probe_threads = [threading.Thread(target=probe_client, daemon=True, args=(
        server.port, makers[name], random.Random(7 + i), deadline, stop, probes[name], f"probe-{i}"))
        for i, name in enumerate(probes)]
    for thread in probe_threads:
        thread.start()
    try:
        for thread in [*threads, *probe_threads]:
            while thread.is_alive():
                thread.join(timeout=0.5)
    finally:
        stop.set()
    outcomes = Counter()
    for results in slow_out:
        for status, _, text in results:
            outcomes[f"{status} {text[:70]}"] += 1
    return {"slow": slow, "seconds": time.perf_counter() - started,
            "probes": {name: summarise(records, seconds) for name, records in probes.items()},
            "slow_outcomes": dict(outcomes.most_common(6)), "slow_answers": sum(outcomes.values()),
            "exited": server.exited()}


# ---- answers agree ----------------------------------------------------------------------------------
def answer_set(body: bytes) -> list:
    """SPARQL JSON results as a sorted list of rows, terms normalised (plain = xsd:string)."""
    data = json.loads(body)
    rows = []
    for binding in data["results"]["bindings"]:
        row = []
        for var, term in sorted(binding.items()):
            kind = "literal" if term["type"] == "typed-literal" else term["type"]
            datatype = term.get("datatype")
            if datatype == "http://www.w3.org/2001/XMLSchema#string":
                datatype = None
            row.append((var, kind, term["value"], term.get("xml:lang"), datatype))
        rows.append(row)
    return sorted(rows)


def answers(server: Server, endpoint: str, sample: Sample, count: int = 30, seed: int = 99) -> list:
    """Answers to ``count`` queries of the mix (fixed seed): compared between the servers."""
    rng = random.Random(seed)
    probe = Probe(server.port)
    out = []
    for _ in range(count):
        _, text = sparql_text(sample, rng)
        got = probe.get(f"{endpoint}?{urlencode({'query': text})}", JSON_RESULTS)
        out.append({"query": text, "status": got.status,
                    "rows": answer_set(got.body) if got.status == 200 else got.body[:300].decode("utf-8", "replace")})
    probe.close()
    return out


# ---- cache ------------------------------------------------------------------------------------------
def warm_up(server: Server, sample: Sample) -> None:
    """Before timing the cache: every worker opens the snapshot (sequential jobs go round the
    idle queue), and each page template is compiled once on pages the timing does not use."""
    probe = Probe(server.port)
    for _ in range(4):
        probe.get(server.probe, JSON_RESULTS)
    probe.get("/queries/q03-goals?lang=nb")
    probe.get(doc_path(sample.resources[0]))
    probe.close()


def time_cache(server: Server, path: str, repeats: int = 20) -> dict:
    """First request (computed) against the median of ``repeats`` more (from the cache)."""
    probe = Probe(server.port)
    first = probe.get(path)
    again = [probe.get(path) for _ in range(repeats)]
    probe.close()
    median = statistics.median(g.ms for g in again)
    return {"path": path, "status": first.status, "first_ms": first.ms, "median_ms": median,
            "speedup": first.ms / median, "same_body": all(g.body == first.body for g in again),
            "error": None if first.status == 200 else first.body[:300].decode("utf-8", "replace")}


def demonstrate_invalidation(server: Server, store: Path, page: str, query_page: str) -> dict:
    """Load a two-triple file with ``offri load`` while the server runs: a new resource that
    links to ``page``'s subject, so that page's "incoming" table must show it at once."""
    token = uuid.uuid4().hex[:12]
    label = f"offri serve benchmark marker {token}"
    marker = OUT / "serve-marker.ttl"  # same name every run: the load replaces its own graph
    marker.write_text(f'<{BASE}id/bench/serve-marker> <{RDFS}seeAlso> <{ARENDAL}> ;\n'
                      f'    <{RDFS}label> "{label}"@en .\n')
    probe = Probe(server.port)
    before = probe.get(page)
    query_before = probe.get(query_page)
    generation = generation_of(store)
    started = time.perf_counter()
    loaded = subprocess.run([PYTHON, "-m", "offri_kg.cli", "load", str(marker), "--store", str(store)],
                            capture_output=True, text=True)
    load_s = time.perf_counter() - started
    after = probe.get(page)
    query_after = probe.get(query_page)
    query_again = probe.get(query_page)
    probe.close()
    changed = label.encode() in after.body and label.encode() not in before.body
    return {"page": page, "load_exit": loaded.returncode, "load_s": load_s,
            "load_output": (loaded.stdout + loaded.stderr).strip()[-500:],
            "generation_changed": generation != generation_of(store),
            "cached_ms_before": before.ms, "first_ms_after": after.ms, "status_after": after.status,
            "page_changed": changed, "query_page": query_page, "query_cached_ms_before": query_before.ms,
            "query_first_ms_after": query_after.ms, "query_second_ms_after": query_again.ms,
            "statuses": [before.status, query_before.status, after.status, query_after.status, query_again.status],
            "error_after": None if after.status == 200 else after.body[:300].decode("utf-8", "replace")}


# ---- report -----------------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def row(group: dict) -> str:
    return (f"{group['count']:,} | {group['errors']:,} | {group['rps']:.1f} | {group['p50_ms']:.1f} | "
            f"{group['p95_ms']:.1f} | {group['p99_ms']:.1f} | {group['max_ms']:.0f}")


def cpu_ms(phase: dict, part: str) -> float:
    """Server CPU milliseconds per request in a phase: ``all``, or offri's ``main`` process or
    its query ``workers``. Where the requests/s go: the machine has two cores for everything."""
    pct = {"all": phase["server_cpu_pct"], "main": phase["server_main_cpu_pct"],
           "workers": phase["server_cpu_pct"] - phase["server_main_cpu_pct"]}[part]
    return pct * 10 / phase["groups"]["all"]["rps"]


def fairness_table(phases_by_server: dict) -> list[str]:
    """The fairness phases as a Markdown table."""
    lines = ["", "### Fairness: slow clients and probes (each slow client from its own address; probes from "
             "127.0.0.1)", "",
             "| server | slow clients | `ASK {}` p50 / p99 | uncached pages p50 / p99 | probe errors | target | "
             "result | what the slow queries got (count) |", "|---|---:|---:|---:|---:|---|---|---|"]
    for name, phases in phases_by_server.items():
        for f in phases:
            ask_probe, pages = f["probes"]["ASK {}"], f["probes"].get("uncached pages")
            worst = max(ask_probe["p99_ms"], pages["p99_ms"] if pages else 0)
            errors = ask_probe["errors"] + (pages["errors"] if pages else 0)
            target = "p99 ≤ 1 s" if name == "offri" else "—"
            result = verdict(worst <= TARGETS["probe_p99_ms"] and errors == 0) if name == "offri" else "—"
            got = "; ".join(f"{text} ×{n}" for text, n in f["slow_outcomes"].items())
            lines.append(f"| {name} | {f['slow']} | {ask_probe['p50_ms']:.0f} / {ask_probe['p99_ms']:.0f} ms | "
                         + (f"{pages['p50_ms']:.0f} / {pages['p99_ms']:.0f} ms" if pages else "—")
                         + f" | {errors} | {target} | {result} | {got} |")
    lines += [f"\n**{f['exited']}**" for phases in phases_by_server.values() for f in phases if f.get("exited")]
    return lines


def report(r: dict) -> str:
    """The Markdown summary: targets first, then every phase by group and kind."""
    mixed, only, oxi = r["offri_mixed"], r["offri_sparql"], r["oxigraph_sparql"]
    ratio = only["groups"]["all"]["rps"] / oxi["groups"]["all"]["rps"]
    r["ratio"] = ratio
    mem = r["offri_memory"]
    inv = r["invalidation"]
    agree = sum(a == b for a, b in zip(r["answers"]["offri"], r["answers"]["oxigraph"]))
    lines = [f"## offri serve benchmark — {r['size']} ({r['store_triples']:,} quads in the store), "
             f"{r['clients']} clients × {r['seconds']:.0f} s per phase",
             "",
             f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores (shared with the load generator), "
             f"Python {platform.python_version()}, offri serve with its default workers unless --offri-workers",
             "",
             "| measure | measured | target | result |", "|---|---:|---:|---|",
             f"| ready: process start → `ASK {{}}` answers 200 | {r['offri_ready_s']:.2f} s | < 3 s | "
             f"{verdict(r['offri_ready_s'] < TARGETS['ready_s'])} |",
             f"| RSS after the load phases (server + {len(mem['processes']) - 1} child processes) | "
             f"{mem['rss_mb']:.0f} MB (peak {mem['peak_rss_mb']:.0f}, PSS {mem['pss_mb']:.0f}) | < 1024 MB | "
             f"{verdict(mem['rss_mb'] < TARGETS['rss_mb'] and mem['peak_rss_mb'] < TARGETS['rss_mb'])} |",
             f"| mix: requests/s, errors | {mixed['groups']['all']['rps']:.1f}/s, {mixed['groups']['all']['errors']} "
             f"of {mixed['groups']['all']['count']:,} | 0 errors | {verdict(mixed['groups']['all']['errors'] == 0)} |",
             f"| mix: p50 / p95 / p99 | {mixed['groups']['all']['p50_ms']:.1f} / {mixed['groups']['all']['p95_ms']:.1f}"
             f" / {mixed['groups']['all']['p99_ms']:.1f} ms | p99 < 300 ms | "
             f"{verdict(mixed['groups']['all']['p99_ms'] < 300)} |",
             f"| SPARQL only: offri / Oxigraph requests/s | {only['groups']['all']['rps']:.1f} / "
             f"{oxi['groups']['all']['rps']:.1f} = {ratio:.2f} | ≥ 0.7 | {verdict(ratio >= TARGETS['ratio'])} |",
             f"| SPARQL only: server CPU per request, offri (main process + query workers) / Oxigraph | "
             f"{cpu_ms(only, 'main'):.2f} + {cpu_ms(only, 'workers'):.2f} = {cpu_ms(only, 'all'):.2f} / "
             f"{cpu_ms(oxi, 'all'):.2f} ms | — | — |",
             f"| SPARQL only: p99 offri / Oxigraph | {only['groups']['all']['p99_ms']:.1f} / "
             f"{oxi['groups']['all']['p99_ms']:.1f} ms | — | — |",
             f"| SPARQL only: errors offri / Oxigraph | {only['groups']['all']['errors']} / "
             f"{oxi['groups']['all']['errors']} | 0 | {verdict(only['groups']['all']['errors'] == 0)} |",
             f"| same answers, offri vs Oxigraph ({len(r['answers']['offri'])} queries of the mix) | {agree} | all | "
             f"{verdict(agree == len(r['answers']['offri']))} |"]
    for name, c in r["cache"].items():
        failed = "" if c["status"] == 200 else f" (first answer HTTP {c['status']})"
        lines.append(f"| cache, {name} `{c['path'][:60]}` | first {c['first_ms']:.1f} ms, median of 20 "
                     f"{c['median_ms']:.2f} ms = {c['speedup']:.0f}×{failed} | ≥ 20× | "
                     f"{verdict(c['speedup'] >= TARGETS['speedup'] and not failed)} |")
    lines.append(f"| write invalidates: `offri load` (exit {inv['load_exit']}, {inv['load_s']:.1f} s) while serving; "
                 f"cached page shows the new triple | {'yes' if inv['page_changed'] else 'no'} (page "
                 f"{inv['cached_ms_before']:.1f} ms cached → {inv['first_ms_after']:.0f} ms after the load; "
                 f"query page {inv['query_cached_ms_before']:.1f} → {inv['query_first_ms_after']:.0f} → "
                 f"{inv['query_second_ms_after']:.1f} ms; HTTP statuses {inv['statuses']}) | changes | "
                 f"{verdict(inv['page_changed'])} |")
    if inv["error_after"]:
        lines.append(f"\nAfter the load the page answered: {inv['error_after']}")
    if inv["load_exit"]:
        lines.append(f"\n`offri load` said: {inv['load_output']}")
    lines += fairness_table(r["fairness"])
    lines += ["", f"Oxigraph server: ready in {r['oxigraph_ready_s']:.2f} s, RSS {r['oxigraph_memory']['rss_mb']:.0f} MB "
              f"after its phase. Store {'built in ' + format(r['store_build']['build_s'], '.0f') + ' s' if r['store_build']['built'] else 'reused'}."]
    phases = [(f"offri: mix, {r['clients']} clients", mixed), ("offri: SPARQL only", only),
              ("Oxigraph: SPARQL only", oxi), ("offri: mix, one client (no queueing)", r["offri_single"])]
    for title, phase in phases:
        lines += ["", f"### {title} — server CPU {phase['server_cpu_pct']:.0f} % (its main process "
                      f"{phase['server_main_cpu_pct']:.0f} %), client CPU "
                      f"{phase['client_cpu_pct']:.0f} % (100 % = one core)", "",
                  "| requests | count | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| **{name}** | {row(g)} |" for name, g in phase["groups"].items()]
        lines += [f"| {name} | {row(g)} |" for name, g in phase["kinds"].items()]
        errors = Counter()
        for g in phase["kinds"].values():
            errors.update(g["error_kinds"])
        lines += [f"\nerror ×{n}: {text}" for text, n in errors.most_common(8)]
        if phase.get("exited"):
            lines.append(f"\n**{phase['exited']}**")
    return "\n".join(lines)


# ---- main -------------------------------------------------------------------------------------------
def say(text: str) -> None:
    print(text, flush=True)


def run(args: argparse.Namespace, servers: list[Server]) -> dict:
    """Every phase, in an order that keeps them apart: cache timing before any load fills the
    cache, the write after the load phases, Oxigraph after offri has stopped."""
    result: dict = {"size": args.size, "clients": args.clients, "seconds": args.seconds}
    store, result["store_build"] = ensure_store(args.size, args.rebuild)
    sample = sample_store(store, args.seed)
    result["store_triples"] = sample.triples
    say(f"store {store} ({sample.triples:,} quads, {'built' if result['store_build']['built'] else 'reused'}); "
        f"{len(sample.resources)} resources, {len(sample.municipalities)} municipalities, {len(sample.classes)} classes")
    oxigraph_db = checkpoint_for_oxigraph(store, args.size)
    if args.only_fairness:
        return run_fairness(args, servers, store, sample, oxigraph_db, result)

    offri = offri_server(store, args.offri_workers)
    servers.append(offri)
    result["offri_ready_s"] = offri.start()
    say(f"offri serve ready in {result['offri_ready_s']:.2f} s (port {offri.port})")
    warm_up(offri, sample)
    result["cache"] = {"stored-query page": time_cache(offri, "/queries/q01-partnerships"),
                       "resource page": time_cache(offri, doc_path(ARENDAL))}
    say("cache: " + ", ".join(f"{k} {v['first_ms']:.1f} ms -> {v['median_ms']:.2f} ms" for k, v in result["cache"].items()))
    result["offri_mixed"] = drive(offri, mixed_requests(sample), args.clients, args.seconds, args.seed)
    say(f"offri mix: {result['offri_mixed']['groups']['all']['rps']:.1f} req/s")
    result["offri_sparql"] = drive(offri, sparql_requests(sample, "/sparql"), args.clients, args.seconds, args.seed)
    say(f"offri SPARQL only: {result['offri_sparql']['groups']['all']['rps']:.1f} req/s")
    # one client after the loaded phases (another seed, so mostly cache misses): each request
    # type's own cost, without the queue that 32 clients build in front of the workers
    result["offri_single"] = drive(offri, mixed_requests(sample), 1, args.single_seconds, args.seed + 7)
    result["offri_memory"] = offri.memory()
    result["answers"] = {"offri": answers(offri, "/sparql", sample)}
    result["invalidation"] = demonstrate_invalidation(offri, store, doc_path(ARENDAL), "/queries/q01-partnerships")
    say(f"write: page changed = {result['invalidation']['page_changed']}")
    result["fairness"] = {"offri": [fairness(offri, "/sparql", sample, n, args.fairness_seconds, pages=True)
                                    for n in (8, 64)]}
    say("fairness (offri): " + ", ".join(f"{f['slow']} slow: ASK p99 {f['probes']['ASK {}']['p99_ms']:.0f} ms"
                                         for f in result["fairness"]["offri"]))
    result["offri_log"] = offri.log_tail(50)
    offri.stop()

    oxigraph = oxigraph_server(oxigraph_db, time_limit=False)
    servers.append(oxigraph)
    result["oxigraph_ready_s"] = oxigraph.start()
    say(f"oxigraph ready in {result['oxigraph_ready_s']:.2f} s (port {oxigraph.port})")
    result["oxigraph_sparql"] = drive(oxigraph, sparql_requests(sample, "/query"), args.clients, args.seconds, args.seed)
    say(f"oxigraph SPARQL only: {result['oxigraph_sparql']['groups']['all']['rps']:.1f} req/s")
    result["oxigraph_memory"] = oxigraph.memory()
    result["answers"]["oxigraph"] = answers(oxigraph, "/query", sample)
    oxigraph.stop()
    oxigraph = oxigraph_server(oxigraph_db, time_limit=True)
    servers.append(oxigraph)
    oxigraph.start()
    result["fairness"]["oxigraph"] = [fairness(oxigraph, "/query", sample, n, args.fairness_seconds, pages=False)
                                      for n in (8, 64)]
    say("fairness (Oxigraph): " + ", ".join(f"{f['slow']} slow: ASK p99 {f['probes']['ASK {}']['p99_ms']:.0f} ms"
                                            for f in result["fairness"]["oxigraph"]))
    oxigraph.stop()
    shutil.rmtree(oxigraph_db, ignore_errors=True)
    return result


def run_fairness(args: argparse.Namespace, servers: list[Server], store: Path, sample: Sample, oxigraph_db: Path,
                 result: dict) -> dict:
    """The fairness phases alone (``--only-fairness``)."""
    result["fairness"] = {}
    for name, make, endpoint, pages in (("offri", lambda: offri_server(store, args.offri_workers), "/sparql", True),
                                        ("oxigraph", lambda: oxigraph_server(oxigraph_db, time_limit=True), "/query",
                                         False)):
        server = make()
        servers.append(server)
        server.start()
        if pages:
            warm_up(server, sample)
        result["fairness"][name] = [fairness(server, endpoint, sample, n, args.fairness_seconds, pages) for n in (8, 64)]
        server.stop()
    shutil.rmtree(oxigraph_db, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1M", help="synthetic graph: 10k, 100k or 1M (default)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each load phase")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--single-seconds", type=float, default=10.0,
                        help="length of the one-client phase (each request type's cost without queueing)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fairness-seconds", type=float, default=25.0,
                        help="length of each fairness phase (8 and 64 slow clients, on each server)")
    parser.add_argument("--offri-workers", type=int, default=None, help="offri serve --workers (default: its own)")
    parser.add_argument("--rebuild", action="store_true", help="build the store again even if cached")
    parser.add_argument("--only-fairness", action="store_true", help="run the fairness phases alone")
    args = parser.parse_args()

    def terminated(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored
    servers: list[Server] = []
    try:
        result = run(args, servers)
    except KeyboardInterrupt:
        say("interrupted: stopping the servers")
        sys.exit(130)
    finally:
        for server in servers:
            server.stop()
    text = ("\n".join(fairness_table(result["fairness"])) if args.only_fairness else report(result))
    (OUT / "serve.json").write_text(json.dumps(result, indent=1, default=str))
    say("\n" + text)
    say(f"\nJSON: {OUT / 'serve.json'}")


if __name__ == "__main__":
    main()
