"""Run one stored query on an in-memory store (example data or a synthetic file) and time it.

    python benchmarks/run_query.py q01-partnerships                       # on the shipped data
    python benchmarks/run_query.py q01-partnerships --data benchmarks/out/data/synth-1M.nt -p municipality=…
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyoxigraph as ox

from offri_kg.ingest.read import read_sources
from offri_kg.query.bind import bindings, with_values_block
from offri_kg.query.library import get_stored_query
from offri_kg.resources import example_data_files
from offri_kg.validate.dataset import build_store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("query")
    parser.add_argument("--data", help="an N-Triples file instead of the shipped example data")
    parser.add_argument("-p", "--param", action="append", default=[])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    store = build_store(read_sources(example_data_files())) if not args.data else build_store([])
    if args.data:
        store.bulk_load(path=args.data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:bench"))
    query = get_stored_query(args.query)
    terms = bindings(query, dict(p.split("=", 1) for p in args.param))
    text = with_values_block(query.sparql, terms)
    times, rows = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = store.query(text, use_default_graph_as_union=True)
        rows = list(result)
        times.append(time.perf_counter() - started)
        variables = [v.value for v in result.variables]
    for row in rows[:50]:
        print(" | ".join(str(row[v]) if row[v] is not None else "" for v in variables))
    print(f"{len(rows)} rows; median {statistics.median(times) * 1000:.1f} ms over {len(times)} runs")


if __name__ == "__main__":
    main()
