"""Validation benchmark: offri's set-based engine against plain pyshacl, 10k–1M triples.

For every size (synthetic data from benchmarks/generate.py, cached in benchmarks/out/data/):

(a) offri: read the file, load it with the reference graphs into an in-memory pyoxigraph store
    (``build_store``), validate everything (``validate_store``); time and peak memory;
(b) the naive baseline: rdflib parses the same file plus the ontology, vocabularies and
    reference data into ONE graph, and pyshacl validates it with offri's shapes graph
    (``pyshacl_engine.validate_graph`` + ``engine.project_shapes``); time and peak memory;
(c) the ratio baseline / offri, and whether the two reports are equal (sorted ``r.key()``);
(d) at the largest size: one new partnership (``generate.candidate_quads``) checked against
    the big graph with ``validate_candidate`` — median and p95 over ``--candidates`` runs —
    and a cross-check that each sampled candidate's report equals the results for the same
    focus nodes of a full validation of the big graph plus the candidates. That full
    validation runs check by check, so it also gives the time of every check on the big
    graph; the slowest are printed when a target is missed (or with ``--profile``).

Every measured case runs in its own child process (multiprocessing, spawn), so peak memory
(VmHWM of the child; ru_maxrss where /proc is missing) belongs to that case alone.

Usage (from the repository root, with the project's venv)::

    .venv/bin/python benchmarks/bench_validate.py --quick            # 10k and 100k
    .venv/bin/python benchmarks/bench_validate.py                    # 10k, 100k and 1M
    .venv/bin/python benchmarks/bench_validate.py --sizes 1M --baseline-timeout 900
    nohup .venv/bin/python benchmarks/bench_validate.py > /tmp/bench_validate.log 2>&1 &

Results: a markdown table on stdout, everything in benchmarks/out/validate.json (and the
table in benchmarks/out/validate.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import multiprocessing as mp
import os
import pickle
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import generate as gen  # noqa: E402

OUT = HERE / "out"
DATA = OUT / "data"

TARGET_RATIO = 5.0          # offri at least 5× faster than pyshacl at the largest size
TARGET_CANDIDATE_MS = 100.0  # one new partnership checked in under 100 ms (median)


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sorted_keys(results) -> list:
    return sorted((r.key() for r in results), key=repr)


def _counts(report) -> dict:
    from offri_kg.validate.report import Severity
    return {"violations": report.count(Severity.VIOLATION), "warnings": report.count(Severity.WARNING),
            "infos": report.count(Severity.INFO)}


def _short(iri: str) -> str:
    return iri.strip("<>").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------

def ensure_data(target: int, seed: int, noise: float) -> tuple[Path, dict]:
    """The generated file for ``target`` (reused when the generator and parameters match)."""
    source_hash = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:12]
    path = DATA / f"synth-{gen.size_label(target)}-seed{seed}-noise{noise:g}.nt"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("generator") == source_hash and meta.get("bytes") == path.stat().st_size:
            return path, meta
    log(f"generating {gen.size_label(target)} triples -> {path}")
    started = time.perf_counter()
    meta = gen.write_ntriples(path, target, seed, noise)
    meta["generate_s"] = round(time.perf_counter() - started, 2)
    meta["generator"] = source_hash
    meta_path.write_text(json.dumps(meta, indent=2))
    log("  " + ", ".join(f"{k}={v}" for k, v in meta.items()))
    return path, meta


# --------------------------------------------------------------------------------------------
# Child processes
# --------------------------------------------------------------------------------------------

def _child_main(func_name: str, kwargs: dict, out_path: str) -> None:
    result = globals()[func_name](**kwargs)
    with open(out_path, "wb") as fh:
        pickle.dump(result, fh)


def run_child(func_name: str, kwargs: dict, timeout: float | None) -> dict:
    """Run ``func_name(**kwargs)`` in a fresh spawned process; its dict, or a status."""
    fd, out_path = tempfile.mkstemp(prefix="offri-bench-", suffix=".pkl")
    os.close(fd)
    ctx = mp.get_context("spawn")
    proc = ctx.Process(target=_child_main, args=(func_name, kwargs, out_path))
    started = time.perf_counter()
    proc.start()
    proc.join(timeout)
    wall = time.perf_counter() - started
    try:
        if proc.is_alive():
            proc.terminate()
            proc.join(15)
            if proc.is_alive():
                proc.kill()
                proc.join()
            return {"status": "timeout", "wall_s": wall}
        if proc.exitcode != 0:
            return {"status": f"failed (exit code {proc.exitcode})", "wall_s": wall}
        with open(out_path, "rb") as fh:
            result = pickle.load(fh)
        result["status"] = "ok"
        result["wall_s"] = wall
        return result
    finally:
        try:
            os.unlink(out_path)
        except OSError:
            pass


# --------------------------------------------------------------------------------------------
# (a) offri, and (d) candidates, in a child
# --------------------------------------------------------------------------------------------

def offri_case(path: str, target: int, seed: int, repeat: int, largest: bool, candidates: int,
               cross_samples: int) -> dict:
    t0 = time.perf_counter()
    from offri_kg.ingest.read import read_source
    from offri_kg.validate.dataset import build_store
    from offri_kg.validate.engine import project_checks, validate_store
    import pyoxigraph  # noqa: F401
    import_s = time.perf_counter() - t0

    started = time.perf_counter()
    checks = project_checks()                 # parse + compile the shapes (once per process)
    compile_s = time.perf_counter() - started
    rss_before = peak_rss_mb()

    started = time.perf_counter()
    store = build_store([read_source(path)])
    load_s = time.perf_counter() - started
    n_quads = len(store)
    log(f"  offri: loaded {n_quads:,} quads in {load_s:.2f} s; validating")

    runs = []
    report = None
    for i in range(max(1, repeat)):
        started = time.perf_counter()
        report = validate_store(store)
        runs.append(time.perf_counter() - started)
        log(f"  offri: full validation run {i + 1}: {runs[-1]:.2f} s")
        if runs[-1] > 30:           # slow enough that one run is a stable number
            break
    result = {
        "quads": n_quads, "import_s": import_s, "compile_s": compile_s, "load_s": load_s,
        "validate_runs_s": runs, "validate_s": statistics.median(runs),
        "peak_rss_mb": peak_rss_mb(), "rss_before_load_mb": rss_before,
        "counts": _counts(report), "keys": _sorted_keys(report.results), "checks": len(checks),
    }
    if largest:
        result.update(candidate_bench(store, target, seed, candidates, cross_samples))
    return result


def candidate_bench(store, target: int, seed: int, n: int, cross_samples: int) -> dict:
    """(d): one new partnership against the big graph; timing, sanity, cross-check, profiles."""
    import pyoxigraph as ox
    from offri_kg.validate.compile import FOCUS
    from offri_kg.validate.engine import (focus_clause, focus_nodes_of, project_checks,
                                          validate_candidate, validate_store)
    from offri_kg.validate.report import Severity

    checks = project_checks()
    plan = gen.make_plan(target, seed)
    size_before = len(store)

    for k in range(3):                              # warm-up, not counted
        validate_candidate(store, gen.candidate_quads(plan, 90_000 + k)[1])

    times_ms, per_kind, insane = [], {}, []
    for k in range(n):
        kind, quads = gen.candidate_quads(plan, k)
        started = time.perf_counter()
        report = validate_candidate(store, quads)
        elapsed = (time.perf_counter() - started) * 1000
        times_ms.append(elapsed)
        violations = report.count(Severity.VIOLATION)
        entry = per_kind.setdefault(kind, {"runs": 0, "with_violations": 0, "ms": []})
        entry["runs"] += 1
        entry["with_violations"] += violations > 0
        entry["ms"].append(elapsed)
        if (kind == "valid") != (violations == 0):
            insane.append((k, kind, violations))
    ordered = sorted(times_ms)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    log(f"  candidates: median {statistics.median(times_ms):.1f} ms, p95 {p95:.1f} ms over {n} runs")
    unchanged = len(store) == size_before

    # Candidate-level profile: each check alone, restricted to a candidate's focus nodes.
    scratch = ox.NamedNode("urn:offri:bench:profile")
    per_check_candidate: dict[str, list[float]] = {}
    for k in range(min(5, n)):
        _kind, quads = gen.candidate_quads(plan, k)
        quads = [ox.Quad(q.subject, q.predicate, q.object, scratch) for q in quads]
        store.extend(quads)
        clause = focus_clause(focus_nodes_of(quads))
        for check in checks:
            query = check.query.replace(FOCUS, clause)
            started = time.perf_counter()
            for _row in store.query(query, use_default_graph_as_union=True):
                pass
            per_check_candidate.setdefault(f"{_short(check.shape)} {_short(check.component)}", []).append(
                (time.perf_counter() - started) * 1000)
        store.clear_graph(scratch)
    candidate_profile = sorted(((statistics.median(v), name) for name, v in per_check_candidate.items()),
                               reverse=True)

    # Cross-check: candidate reports (each alone) against ONE full validation of the big graph
    # plus all sampled candidates (their IRIs are disjoint), run check by check so that it also
    # times every check on the big graph.
    kinds = gen.CANDIDATE_KINDS
    first_of_kind = [k for k in range(len(kinds)) if kinds.index(kinds[k]) == k]
    samples = (first_of_kind + [k for k in range(4 * len(kinds)) if k not in first_of_kind])[:max(1, cross_samples)]
    sample_quads = {k: gen.candidate_quads(plan, 1_000 + k) for k in samples}
    candidate_reports = {k: validate_candidate(store, q) for k, (_kind, q) in sample_quads.items()}
    together = ox.NamedNode("urn:offri:bench:crosscheck")
    store.extend(ox.Quad(q.subject, q.predicate, q.object, together)
                 for _kind, quads in sample_quads.values() for q in quads)
    log(f"  cross-check: full validation of the big graph + {len(samples)} candidates, check by check")
    full_results, per_check_full = [], []
    started_all = time.perf_counter()
    for check in checks:
        started = time.perf_counter()
        part = validate_store(store, [check], workers=1)
        elapsed = time.perf_counter() - started
        per_check_full.append((elapsed, len(part.results), _short(check.shape), _short(check.component),
                               check.shape, check.component))
        if elapsed > 5:
            log(f"    slow check: {_short(check.shape)} {_short(check.component)} {elapsed:.1f} s")
        full_results.extend(part.results)
    full_check_by_check_s = time.perf_counter() - started_all
    store.clear_graph(together)
    cross = []
    for k, (kind, quads) in sample_quads.items():
        focus = focus_nodes_of(quads)
        expected = _sorted_keys(r for r in full_results if r.focus in focus)
        got = _sorted_keys(candidate_reports[k].results)
        cross.append({"candidate": 1_000 + k, "kind": kind, "results": len(got),
                      "violations": candidate_reports[k].count(Severity.VIOLATION), "equal": expected == got,
                      "missing": [repr(x) for x in expected if x not in got][:5],
                      "extra": [repr(x) for x in got if x not in expected][:5]})
    log("  cross-check: " + ("OK" if all(c["equal"] for c in cross) else "MISMATCH"))
    return {
        "candidate": {
            "runs": n, "median_ms": statistics.median(times_ms), "p95_ms": p95, "mean_ms": statistics.fmean(times_ms),
            "min_ms": ordered[0], "max_ms": ordered[-1], "times_ms": times_ms,
            "per_kind": {k: {"runs": v["runs"], "with_violations": v["with_violations"],
                             "median_ms": statistics.median(v["ms"])} for k, v in per_kind.items()},
            "sane": not insane, "insane": insane, "store_unchanged": unchanged,
            "profile_ms": candidate_profile[:20],
        },
        "cross_check": {"samples": cross, "ok": all(c["equal"] for c in cross),
                        "full_check_by_check_s": full_check_by_check_s},
        "check_profile_s": sorted(per_check_full, reverse=True),
    }


# --------------------------------------------------------------------------------------------
# (b) the naive baseline, in a child
# --------------------------------------------------------------------------------------------

def baseline_case(path: str) -> dict:
    t0 = time.perf_counter()
    import rdflib
    from offri_kg.resources import ontology_files, reference_data_files
    from offri_kg.validate.engine import project_shapes
    from offri_kg.validate.pyshacl_engine import validate_graph
    import_s = time.perf_counter() - t0

    started = time.perf_counter()
    graph = rdflib.Graph()
    for ref in [*ontology_files(), *reference_data_files()]:
        graph.parse(ref, format="turtle")
    graph.parse(path, format="nt")
    shapes = project_shapes()
    parse_s = time.perf_counter() - started
    log(f"  pyshacl: parsed {len(graph):,} triples in {parse_s:.1f} s; validating")

    started = time.perf_counter()
    report = validate_graph(graph, shapes)
    validate_s = time.perf_counter() - started
    log(f"  pyshacl: validated in {validate_s:.1f} s")
    return {"triples": len(graph), "import_s": import_s, "parse_s": parse_s, "validate_s": validate_s,
            "peak_rss_mb": peak_rss_mb(), "counts": _counts(report), "keys": _sorted_keys(report.results)}


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def machine() -> dict:
    import pyoxigraph
    import pyshacl
    import rdflib

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    except (ValueError, OSError):
        mem_gb = None
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": None if mem_gb is None else round(mem_gb, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "pyoxigraph": pyoxigraph.__version__, "pyshacl": pyshacl.__version__, "rdflib": rdflib.__version__}


def _fmt_s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f} s" if value < 10 else f"{value:.0f} s"


def _fmt_mb(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} MB"


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else a / b


def table(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Validation benchmark, {results['date']} — {m['cores']} cores ({m['cpu']}), "
        f"{m['memory_gb']} GB RAM; Python {m['python']}, pyoxigraph {m['pyoxigraph']}, "
        f"pyshacl {m['pyshacl']}, rdflib {m['rdflib']}.",
        "",
        "| data | triples validated | offri load | offri validate | offri total | offri peak RSS "
        "| pyshacl parse | pyshacl validate | pyshacl total | pyshacl peak RSS "
        "| ratio validate | ratio total | data violations | reports equal |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|",
    ]
    for row in results["sizes"]:
        o, b = row["offri"], row["baseline"]
        o_ok, b_ok = o.get("status") == "ok", b.get("status") == "ok"
        o_total = o["load_s"] + o["validate_s"] if o_ok else None
        b_total = b["parse_s"] + b["validate_s"] if b_ok else None
        b_cells = ([_fmt_s(b["parse_s"]), _fmt_s(b["validate_s"]), _fmt_s(b_total), _fmt_mb(b["peak_rss_mb"])]
                   if b_ok else [b.get("status", "skipped")] + ["–"] * 3)
        if b.get("status") == "timeout":
            b_cells = ["–", f"> {b['timeout_s']:.0f} s (timeout)", "–", "–"]
        rv, rt = _ratio(b.get("validate_s"), o.get("validate_s")), _ratio(b_total, o_total)
        equal = row.get("reports_equal")
        lines.append("| " + " | ".join([
            f"{row['label']} ({row['data']['partnerships']:,} partnerships, {row['data']['municipalities']} municipalities)",
            f"{o['quads']:,}" if o_ok else "–",
            _fmt_s(o.get("load_s")) if o_ok else o.get("status", "?"),
            _fmt_s(o.get("validate_s")) if o_ok else "–",
            _fmt_s(o_total), _fmt_mb(o.get("peak_rss_mb")) if o_ok else "–",
            *b_cells,
            ("–" if row.get("ratio_validate_at_least") is None else f"> {row['ratio_validate_at_least']:.1f}×")
            if rv is None else f"{rv:.1f}×",
            ("–" if row.get("ratio_validate_at_least") is None else f"> {row['ratio_validate_at_least']:.1f}×")
            if rt is None else f"{rt:.1f}×",
            str(o["counts"]["violations"]) if o_ok else "–",
            "–" if equal is None else ("OK" if equal else "MISMATCH"),
        ]) + " |")
    cand = results.get("candidate")
    if cand:
        c, x = cand["candidate"], cand["cross_check"]
        lines += [
            "",
            f"One new partnership (≈{cand['candidate_triples']} triples, its participations, goals, anchorings, "
            f"challenges) checked against the {cand['label']} graph with `validate_candidate`: "
            f"**median {c['median_ms']:.1f} ms, p95 {c['p95_ms']:.1f} ms** over {c['runs']} runs "
            f"(min {c['min_ms']:.1f}, max {c['max_ms']:.1f}; target < {TARGET_CANDIDATE_MS:.0f} ms median). "
            f"Broken candidates found, valid ones passed: {'OK' if c['sane'] else 'NO'}; store unchanged: "
            f"{'OK' if c['store_unchanged'] else 'NO'}. Cross-check against a full validation of the graph + "
            f"{len(x['samples'])} candidates ({', '.join(sorted({s['kind'] for s in x['samples']}))}): "
            f"**{'OK' if x['ok'] else 'MISMATCH'}**.",
        ]
    lines += [
        "",
        "offri = read + load into an in-memory pyoxigraph store with the reference graphs (`build_store`) "
        "+ `validate_store` (median of up to "
        f"{results['args']['repeat']} runs); pyshacl = rdflib parse of the same files into one graph + "
        "`pyshacl.validate` with offri's shapes. Each case in its own process; peak RSS of that process. "
        "Ratios are pyshacl / offri. \"triples validated\" includes the ontology, vocabularies and reference "
        "data (≈2.5k).",
    ]
    return "\n".join(lines)


def slow_checks_text(results: dict, top: int = 10) -> str:
    cand = results.get("candidate")
    if not cand:
        return ""
    lines = [f"Slowest checks on the {cand['label']} graph (each check alone, whole graph):", "",
             "| # | shape | component | time | results |", "|--:|---|---|--:|--:|"]
    for i, (sec, count, shape, comp, *_rest) in enumerate(cand["check_profile_s"][:top], start=1):
        lines.append(f"| {i} | {shape} | {comp} | {sec:.3f} s | {count} |")
    lines += ["", f"Slowest checks for one candidate (median of 5 candidates, focus-restricted):", "",
              "| # | check | time |", "|--:|---|--:|"]
    for i, (ms, name) in enumerate(cand["candidate"]["profile_ms"][:top], start=1):
        lines.append(f"| {i} | {name} | {ms:.2f} ms |")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="offri validation benchmark (offri vs pyshacl).")
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated target sizes (default: 10k,100k,1M)")
    parser.add_argument("--quick", action="store_true", help="only 10k and 100k")
    parser.add_argument("--baseline-timeout", type=float, default=1800, help="seconds per pyshacl case (default 1800)")
    parser.add_argument("--offri-timeout", type=float, default=6 * 3600, help="seconds per offri case (default 21600)")
    parser.add_argument("--no-baseline", action="store_true", help="skip pyshacl")
    parser.add_argument("--candidates", type=int, default=60, help="candidate runs at the largest size (>= 50)")
    parser.add_argument("--cross-samples", type=int, default=len(set(gen.CANDIDATE_KINDS)),
                        help="candidates in the cross-check (default: one of each kind)")
    parser.add_argument("--repeat", type=int, default=3, help="offri full validations per size (median; 1 if slow)")
    parser.add_argument("--seed", type=int, default=20200101)
    parser.add_argument("--noise", type=float, default=0.01, help="share of incomplete records (Warnings/Infos)")
    parser.add_argument("--profile", action="store_true", help="always print the slowest checks")
    parser.add_argument("--out", default=str(OUT / "validate.json"))
    args = parser.parse_args(argv)

    labels = ["10k", "100k"] if args.quick else [s for s in args.sizes.split(",") if s.strip()]
    sizes = sorted({gen.parse_size(s) for s in labels})
    largest = sizes[-1]
    missing = gen.check_vocabulary()
    if missing:
        log("generator uses concepts missing from the vocabularies: " + ", ".join(missing))
        return 2

    results: dict = {"date": dt.date.today().isoformat(), "started": dt.datetime.now().isoformat(timespec="seconds"),
                     "machine": machine(), "args": vars(args), "sizes": []}
    for target in sizes:
        label = gen.size_label(target)
        path, meta = ensure_data(target, args.seed, args.noise)
        row: dict = {"label": label, "target": target, "data": meta, "file": str(path)}
        log(f"{label}: offri")
        row["offri"] = run_child("offri_case", dict(
            path=str(path), target=target, seed=args.seed, repeat=args.repeat, largest=target == largest,
            candidates=max(50, args.candidates), cross_samples=args.cross_samples), args.offri_timeout)
        if row["offri"]["status"] != "ok":
            log(f"  offri: {row['offri']['status']}")
        if args.no_baseline:
            row["baseline"] = {"status": "skipped"}
        else:
            log(f"{label}: pyshacl baseline (timeout {args.baseline_timeout:.0f} s)")
            row["baseline"] = run_child("baseline_case", dict(path=str(path)), args.baseline_timeout)
            row["baseline"]["timeout_s"] = args.baseline_timeout
            if row["baseline"]["status"] != "ok":
                log(f"  pyshacl: {row['baseline']['status']}")
        o, b = row["offri"], row["baseline"]
        if o["status"] == "ok" and b.get("status") == "ok":
            row["reports_equal"] = o["keys"] == b["keys"]
            if not row["reports_equal"]:
                only_o = [repr(k) for k in o["keys"] if k not in b["keys"]]
                only_b = [repr(k) for k in b["keys"] if k not in o["keys"]]
                row["report_diff"] = {"only_offri": only_o[:20], "only_pyshacl": only_b[:20],
                                      "offri": len(o["keys"]), "pyshacl": len(b["keys"])}
            row["ratio_validate"] = _ratio(b["validate_s"], o["validate_s"])
            row["ratio_total"] = _ratio(b["parse_s"] + b["validate_s"], o["load_s"] + o["validate_s"])
            log(f"  reports equal: {'OK' if row['reports_equal'] else 'MISMATCH'}; "
                f"ratio validate {row['ratio_validate']:.1f}×, total {row['ratio_total']:.1f}×")
        elif o["status"] == "ok" and b.get("status") == "timeout":
            # pyshacl did not finish: the ratio is at least timeout / offri
            row["ratio_validate_at_least"] = _ratio(b["timeout_s"], o["load_s"] + o["validate_s"])
            log(f"  pyshacl timed out: ratio > {row['ratio_validate_at_least']:.1f}×")
        for side in ("offri", "baseline"):        # keep the JSON small: counts, not every key
            if "keys" in row[side]:
                row[side]["results"] = len(row[side].pop("keys"))
        if target == largest and o["status"] == "ok" and "candidate" in o:
            plan = gen.make_plan(target, args.seed)
            results["candidate"] = {
                "label": label, "candidate": o.pop("candidate"), "cross_check": o.pop("cross_check"),
                "check_profile_s": [list(x) for x in o.pop("check_profile_s")],
                "candidate_triples": round(statistics.median(
                    len(gen.candidate_quads(plan, k)[1]) for k in range(len(gen.CANDIDATE_KINDS)))),
            }
        results["sizes"].append(row)
        _write(results, args.out)

    results["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    top = results["sizes"][-1]
    targets_met = True
    ratio = top.get("ratio_validate", top.get("ratio_validate_at_least"))
    if ratio is None or ratio < TARGET_RATIO:
        targets_met = False
    cand = results.get("candidate")
    if cand and cand["candidate"]["median_ms"] >= TARGET_CANDIDATE_MS:
        targets_met = False
    results["targets"] = {"ratio_at_largest": ratio, "ratio_target": TARGET_RATIO,
                          "candidate_median_ms": cand["candidate"]["median_ms"] if cand else None,
                          "candidate_target_ms": TARGET_CANDIDATE_MS, "met": targets_met}
    _write(results, args.out)
    text = table(results)
    if not targets_met or args.profile:
        text += "\n\n" + slow_checks_text(results)
    if not targets_met:
        text += "\n\nTargets NOT met (ratio ≥ 5× at the largest size, candidate median < 100 ms)."
    Path(args.out).with_suffix(".md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


def _write(results: dict, out: str) -> None:
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
