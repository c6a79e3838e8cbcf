"""The dataset as a whole: its VoID description, its dump (``/dump.nq``) and its sitemaps.

The dump is written once per store generation, to a file beside the snapshot it was read from,
and sent from that file in pieces; the sitemap's list of resources is read once per generation.
"""

from __future__ import annotations

import contextlib
import html
import logging
import math
import os
import re
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from offri_kg.errors import OffriError
from offri_kg.i18n import LANGS, word
from offri_kg.query.library import stored_queries
from offri_kg.vocab import BASE, DCT, VOID
from offri_kg.web.state import ServeState, state_of


async def void(request: Request) -> Response:
    """``/.well-known/void``: the dataset, its endpoint, dump and graphs, with their sizes."""
    rows = (await state_of(request).run(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", want_rows=True)).rows
    root = str(request.base_url)
    lines = [f"@prefix void: <{VOID}> .", f"@prefix dct: <{DCT}> .",
             f"<{root}.well-known/void#offri> a void:Dataset ;",
             "  dct:title " + ", ".join(f'"{word("void-title", lang)}"@{lang}' for lang in LANGS) + " ;",
             f"  void:sparqlEndpoint <{root}sparql> ;", f"  void:dataDump <{root}dump.nq> ;",
             f"  void:uriSpace \"{BASE}\" ;", f"  void:rootResource <{root}> ;",
             f"  void:triples {sum(int(r['n'].value) for r in rows)} ."]
    for r in rows:
        lines.append(f"<{root}.well-known/void#offri> void:subset <{r['g'].value}> . "
                     f"<{r['g'].value}> a void:Dataset ; void:triples {int(r['n'].value)} .")
    return Response("\n".join(lines) + "\n", media_type="text/turtle; charset=utf-8")


async def dump(request: Request) -> Response:
    """``/dump.nq``: every graph, as N-Quads."""
    st = state_of(request)
    if st.snapshots is None:
        data = await run_in_threadpool(st.pool.store.export, ox.RdfFormat.N_QUADS)  # type: ignore[union-attr]
        return Response(data, media_type="application/n-quads", headers={
            "Content-Disposition": 'attachment; filename="offri.nq"'})
    path = await dump_file(st)
    # from a file, in pieces: a national dump is hundreds of MB, which the server's memory
    # (and its 1 GB budget) should not hold per download
    return FileResponse(path, media_type="application/n-quads", filename="offri.nq")


async def dump_file(st: ServeState) -> Path:
    """The dump of the snapshot being served, written once per store generation (beside
    the snapshot, removed with it); older generations' dumps are deleted."""
    snapshots = st.snapshots
    assert snapshots is not None
    generation, current = snapshots.generation, snapshots.current
    path = snapshots.root / f"dump-{generation}.nq"
    async with st.dump_lock:
        if not path.exists():
            def write() -> None:
                partial = path.with_suffix(".partial")
                try:
                    reader = ox.Store.read_only(str(current))
                    try:
                        reader.dump(str(partial), ox.RdfFormat.N_QUADS)
                    finally:
                        del reader
                    os.replace(partial, path)
                except OSError as exc:  # a full disk, say: said without the server's paths
                    with contextlib.suppress(OSError):
                        partial.unlink(missing_ok=True)
                    logging.getLogger("offri.serve").error("dump failed: %s", exc)
                    raise OffriError("dump-failed", {"reason": exc.strerror or type(exc).__name__}) from None
                for old in snapshots.root.glob("dump-*.nq"):
                    if old != path:
                        old.unlink(missing_ok=True)

            await run_in_threadpool(write)
    return path


async def sitemap_urls(request: Request) -> list[str]:
    """Every page worth indexing: home, stored queries, each resource minted under the base
    (read once per store generation; sorted here, not by the engine, which would read every
    IRI from disk at each comparison)."""
    st = state_of(request)
    generation = st.generation
    remembered = st.sitemap
    if remembered is not None and generation is not None and remembered[0] == generation:
        subjects = remembered[1]
    else:
        rows = (await st.run(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), \"{BASE}\")) }}",
                             want_rows=True, row_cap=10_000_000)).rows
        subjects = sorted(r["s"].value for r in rows if "#" not in r["s"].value)
        st.sitemap = (generation, subjects) if generation is not None else None
    root = str(request.base_url).rstrip("/")
    return ([f"{root}/"] + [f"{root}/queries/{q}" for q in sorted(stored_queries())]
            + [f"{root}/doc/{quote(iri[len(BASE):])}" for iri in subjects])


async def sitemap(request: Request) -> Response:
    """``/sitemap.xml``: the URLs themselves, or, past the protocol's 50,000 URLs per file,
    a sitemap index of ``/sitemap-N.xml`` files."""
    urls = await sitemap_urls(request)
    size = state_of(request).config.sitemap_size
    if len(urls) <= size:
        return sitemap_xml("urlset", "url", urls)
    root = str(request.base_url).rstrip("/")
    return sitemap_xml("sitemapindex", "sitemap",
                       [f"{root}/sitemap-{n}.xml" for n in range(1, math.ceil(len(urls) / size) + 1)])


async def sitemap_part(request: Request) -> Response:
    """``/sitemap-N.xml``: the N-th file of the index (from 1)."""
    raw = request.path_params["number"]
    if not re.fullmatch(r"[1-9][0-9]{0,5}", raw):  # ASCII digits only: "²" is a digit to str.isdigit
        raise OffriError("not-found", {"what": request.url.path})
    number = int(raw)
    urls = await sitemap_urls(request)
    size = state_of(request).config.sitemap_size
    part = urls[(number - 1) * size: number * size]
    if not part or len(urls) <= size:
        raise OffriError("not-found", {"what": request.url.path})
    return sitemap_xml("urlset", "url", part)


def sitemap_xml(root: str, entry: str, urls: list[str]) -> Response:
    """A sitemaps.org document: a ``urlset`` of ``url`` entries, or a ``sitemapindex`` of
    ``sitemap`` entries (the addresses escaped: the host comes from the request)."""
    body = ['<?xml version="1.0" encoding="UTF-8"?>', f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    body += [f"<{entry}><loc>{html.escape(u, quote=False)}</loc></{entry}>" for u in urls]
    body.append(f"</{root}>")
    return Response("\n".join(body) + "\n", media_type="application/xml")
