"""Store benchmark: load throughput into the embedded store and every stored query's latency.

For each size (10k, 100k, 1M synthetic triples, made by generate.py) it measures, in one run:

- load: ``EmbeddedStore.load`` of the file end to end (read, validate, write to disk, provenance),
  in triples per second (target at 1M: >= 150,000/s), against raw pyoxigraph ``bulk_load`` of
  the same file into a named graph without any validation; the store already holds the shipped
  examples, so queries' default parameters (Arendal) find rows;
- per stored query with its default parameters: offri's median latency (binding, guard, query,
  rows materialised) and raw pyoxigraph's median running the very same query text on the same
  store (target: every query < 500 ms at 1M, offri / raw <= 1.3); and the notebook API's
  (``KnowledgeGraph.run``), which runs the query in a confined child process and sends the rows
  back (the price of a memory cap and a time limit that stop a runaway query);
- rdflib's in-memory SPARQL on the same data as a baseline (one child process per size; each
  query gets 60 s and shows "> 60 s" when it does not finish).

    python benchmarks/bench_store.py                 # 10k, 100k, 1M
    python benchmarks/bench_store.py --sizes 10k --repeat 5
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import pyoxigraph as ox  # noqa: E402

from offri_kg.api import KnowledgeGraph  # noqa: E402
from offri_kg.ingest.read import read_sources  # noqa: E402
from offri_kg.query.bind import bindings, with_values_block  # noqa: E402
from offri_kg.query.library import stored_queries  # noqa: E402
from offri_kg.resources import example_data_files, ontology_files, reference_data_files  # noqa: E402
from offri_kg.store.layout import StoreLayout  # noqa: E402
from offri_kg.store.embedded import EmbeddedStore  # noqa: E402

RDFLIB_LIMIT = 60.0


def data_file(label: str) -> Path:
    path = HERE / "out" / "data" / f"synth-{label}.nt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        generate.write_ntriples(path, generate.parse_size(label))
    return path


def cpu_seconds() -> float:
    """CPU time of this process, all its threads (the loads run in them): with wall time it
    shows whether a load waits or computes, on a machine whose cores are all it has."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def paired_median_ms(*fns, repeat: int) -> tuple[float, ...]:
    """Median ms of functions run turn about, so that a noisy stretch on this shared machine
    falls on all of them and not on whichever happened to run then."""
    for fn in fns:
        fn()  # warm
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, times):
            started = time.perf_counter()
            fn()
            out.append(time.perf_counter() - started)
    return tuple(statistics.median(t) * 1000 for t in times)


def rdflib_child(path: str, texts: dict[str, str], out: "mp.Queue") -> None:
    """Parse everything into one rdflib Dataset and time each query (SIGALRM stops rdflib)."""
    import signal

    import rdflib

    dataset = rdflib.Dataset(default_union=True)
    started = time.perf_counter()
    for extra in [*ontology_files(), *reference_data_files(), *example_data_files()]:
        dataset.graph(rdflib.URIRef(f"urn:ref:{extra.stem}")).parse(extra, format="turtle")
    dataset.graph(rdflib.URIRef("urn:bench")).parse(path, format="nt")
    out.put(("parse", time.perf_counter() - started))

    class Late(Exception):
        pass

    def late(*_args: object) -> None:
        raise Late

    signal.signal(signal.SIGALRM, late)
    for name, text in texts.items():
        signal.setitimer(signal.ITIMER_REAL, RDFLIB_LIMIT)
        started = time.perf_counter()
        try:
            list(dataset.query(text))
            out.put((name, time.perf_counter() - started))
        except Late:
            out.put((name, None))
        except Exception as exc:  # noqa: BLE001 - a failing baseline is reported, not fatal
            out.put((name, f"error: {type(exc).__name__}"))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    out.put(("done", 0))


def rdflib_baseline(path: Path, texts: dict[str, str]) -> dict[str, object]:
    queue: mp.Queue = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(target=rdflib_child, args=(str(path), texts, queue))
    proc.start()
    results: dict[str, object] = {}
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        try:
            name, value = queue.get(timeout=max(1.0, deadline - time.monotonic()))
        except Exception:  # noqa: BLE001
            break
        if name == "done":
            break
        results[name] = value
    proc.kill()
    proc.join()
    return results


def bench_size(label: str, repeat: int, with_rdflib: bool) -> dict:
    path = data_file(label)
    triples = sum(1 for _ in open(path, "rb"))
    folder = Path(tempfile.mkdtemp(prefix="offri-bench-"))
    try:
        # baseline: raw pyoxigraph bulk_load of the same file into a named graph, no validation
        raw_store = ox.Store(str(folder / "raw"))
        started, cpu = time.perf_counter(), cpu_seconds()
        raw_store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:bench"))
        raw_load_s, raw_cpu_s = time.perf_counter() - started, cpu_seconds() - cpu
        del raw_store
        store = EmbeddedStore(folder / "store")
        store.load(read_sources(example_data_files()), agent="bench")  # so defaults (Arendal) find rows
        started, cpu = time.perf_counter(), cpu_seconds()
        store.load(read_sources([path]), agent="bench")
        load_s, load_cpu_s = time.perf_counter() - started, cpu_seconds() - cpu
        row = {"size": label, "triples": triples, "load_s": load_s, "load_rate": triples / load_s,
               "load_cpu_s": load_cpu_s, "raw_load_s": raw_load_s, "raw_cpu_s": raw_cpu_s, "queries": {}}
        texts = {}
        for query in stored_queries().values():
            terms = bindings(query, {})
            text = with_values_block(query.sparql, terms)
            texts[query.id] = text
            raw = store.oxigraph
            offri_ms, raw_ms = paired_median_ms(lambda: store.query(query.sparql, bindings(query, {})).rows,
                                                lambda: list(raw.query(text, use_default_graph_as_union=True)),
                                                repeat=repeat)
            rows = len(store.query(query.sparql, terms).rows)
            row["queries"][query.id] = {"offri_ms": offri_ms, "raw_ms": raw_ms, "rows": rows}
        store.close()
        # the notebook API, as a notebook meets it after the load: each query runs in its
        # confined child process (offri_kg.query.isolated), beside raw pyoxigraph reading the
        # same store
        kg, reader = KnowledgeGraph.open(folder / "store"), ox.Store.read_only(str(StoreLayout(folder / "store").database))
        try:
            for query in stored_queries().values():
                text = texts[query.id]
                api_ms, raw_ms = paired_median_ms(
                    lambda: kg.run(query.id),
                    lambda: list(reader.query(text, use_default_graph_as_union=True)), repeat=repeat)
                row["queries"][query.id].update(api_ms=api_ms, api_raw_ms=raw_ms)
        finally:
            kg.close()
            del reader
        if with_rdflib:
            baseline = rdflib_baseline(path, texts)
            row["rdflib_parse_s"] = baseline.pop("parse", None)
            for name, value in baseline.items():
                row["queries"].setdefault(name, {})["rdflib_ms"] = value * 1000 if isinstance(value, float) else value
        return row
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fmt_ms(value: object) -> str:
    if value is None:
        return "> 60 s"
    if isinstance(value, str):
        return value
    return f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--no-rdflib", action="store_true", help="skip the rdflib baseline")
    parser.add_argument("--rdflib-sizes", default=None,
                        help="sizes to run the rdflib baseline at (default: all; it needs ~1 min to parse 1M)")
    args = parser.parse_args()
    rdflib_sizes = set((args.rdflib_sizes or args.sizes).split(","))
    results = [bench_size(label, args.repeat, not args.no_rdflib and label in rdflib_sizes)
               for label in args.sizes.split(",")]
    out = HERE / "out" / "store.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))

    print(f"\n## Store benchmark — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| size | triples | offri load (s) | offri (triples/s) | offri CPU (s) | raw bulk_load, no validation (s) "
          "| raw CPU (s) | offri / raw |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['size']} | {r['triples']:,} | {r['load_s']:.2f} | {r['load_rate']:,.0f} | {r['load_cpu_s']:.1f} | "
              f"{r['raw_load_s']:.2f} | {r['raw_cpu_s']:.1f} | {r['load_s'] / r['raw_load_s']:.2f} |")
    for r in results:
        print(f"\n### Stored queries at {r['size']} (median ms; offri / raw pyoxigraph; rdflib in-memory)\n")
        print("| query | rows | offri | raw pyoxigraph | offri/raw | notebook API (confined child) | API/raw | rdflib |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, q in r["queries"].items():
            ratio = q["offri_ms"] / q["raw_ms"] if q.get("raw_ms") else float("nan")
            api = q["api_ms"] / q["api_raw_ms"] if q.get("api_raw_ms") else float("nan")
            print(f"| {name} | {q.get('rows', '')} | {q['offri_ms']:.1f} | {q['raw_ms']:.1f} | {ratio:.2f} | "
                  f"{q['api_ms']:.1f} | {api:.2f} | "
                  f"{fmt_ms(q.get('rdflib_ms', 'n/a')) if 'rdflib_ms' in q else 'n/a'} |")
    largest = results[-1]
    worst = max(q["offri_ms"] for q in largest["queries"].values())
    worst_ratio = max(q["offri_ms"] / q["raw_ms"] for q in largest["queries"].values())
    print(f"\nTargets at {largest['size']}: load {largest['load_rate']:,.0f} triples/s (>= 150,000: "
          f"{'met' if largest['load_rate'] >= 150_000 else 'NOT met'}); slowest query {worst:.1f} ms (< 500: "
          f"{'met' if worst < 500 else 'NOT met'}); worst overhead {worst_ratio:.2f}x (<= 1.3: "
          f"{'met' if worst_ratio <= 1.3 else 'NOT met'})")
    cores = os.cpu_count() or 1
    budget = largest["triples"] / 150_000 * cores
    print(f"CPU budget of the load target at {largest['size']}: {largest['triples'] / 150_000:.2f} s × {cores} cores = "
          f"{budget:.1f} CPU-s; offri's load used {largest['load_cpu_s']:.1f} CPU-s, raw bulk_load alone "
          f"{largest['raw_cpu_s']:.1f}")


if __name__ == "__main__":
    main()
