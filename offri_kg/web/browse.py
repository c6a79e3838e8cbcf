"""The catalogue's own pages: home, type pages with facets (``/browse/<kind>``), the stored
queries and each one's answer — every one with its machine-readable twin (CSV).

What a type page asks is ``offri_kg.web.catalogue``'s; here it is run and shown. Pages are
cached per store generation (``web.cache``).
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from offri_kg.errors import OffriError
from offri_kg.i18n import word
from offri_kg.query.bind import bindings, with_values_block
from offri_kg.query.library import get_stored_query, stored_queries
from offri_kg.vocab import OFFRI
from offri_kg.web import catalogue
from offri_kg.web.pages import cell, html_page, language, link
from offri_kg.web.state import state_of


async def browse(request: Request) -> Response:
    """A type page: items, facets with counts that combine, text search, CSV of what is shown."""
    lang = language(request)
    kind = catalogue.kind(request.path_params["kind"])
    chosen = catalogue.selection(kind, list(request.query_params.multi_items()))
    text = (request.query_params.get("q") or "").strip()[:200] or None
    csv = request.query_params.get("format") == "csv"
    page = page_number(request.query_params.get("page"))
    st = state_of(request)
    selected = tuple(sorted((k, tuple(v)) for k, v in chosen.items()))

    async def compute() -> Response:
        limit = st.config.browse_rows
        if csv:  # all of it, not one page: a researcher's table
            answer = await st.run(catalogue.items_query(kind, chosen, text, lang, st.config.row_cap + 1), "text/csv",
                                  spreadsheet=True)
            return csv_download(answer.body, kind.key)
        # the items, their count and every facet at once: they run side by side in the workers;
        # count and facets do not depend on the page, so the next page reuses them
        summary_key = st.pages.key(request, "browse-summary", kind.key, selected, text, lang)
        summary = st.summaries.get(summary_key) if st.snapshots is not None else None  # (remote: no cache)
        items, *fresh = await asyncio.gather(
            st.run(catalogue.items_query(kind, chosen, text, lang, limit, (page - 1) * limit),
                   want_rows=True, row_cap=limit),
            *([] if summary else [st.run(catalogue.count_query(kind, chosen, text), want_rows=True),
                                  *[st.run(catalogue.facet_query(kind, facet, chosen, text, lang), want_rows=True,
                                           row_cap=catalogue.FACET_VALUES) for facet in kind.facets]]))
        if summary is None:
            summary = (fresh[0], fresh[1:])
            if st.snapshots is not None:
                st.summaries.put(summary_key, summary)
        total, counted = summary
        facets = []
        for facet, answer in zip(kind.facets, counted):
            facets.append({"key": facet.key, "label": word(facet.word, lang),
                           "values": [{"iri": r["v"].value, "label": r["label"].value, "n": int(r["n"].value),
                                       "on": r["v"].value in chosen.get(facet.key, [])} for r in answer.rows]})
        # links are built from what was understood, never from the raw query string (it is
        # not part of the cache key)
        query = [("q", text)] if text else []
        query += [(f"f.{key_}", value) for key_, values in chosen.items() for value in values]
        return html_page("browse.html", lang, request, title=word(kind.word, lang),
                         kind=kind, facets=facets, text=text or "",
                         total=int(total.rows[0]["n"].value), first=(page - 1) * limit + 1,
                         previous_link=("?" + urlencode([*query, ("page", page - 1)])) if page > 1 else None,
                         next_link=("?" + urlencode([*query, ("page", page + 1)]))
                         if page * limit < int(total.rows[0]["n"].value) else None,
                         items=[{"iri": r["x"].value, "href": link(r["x"]), "label": r["label"].value,
                                 "description": r["description"].value if r["description"] else "",
                                 "illustrative": r["illustrative"].value in ("true", "1")}
                                for r in items.rows],
                         csv_link="?" + urlencode([*query, ("format", "csv")]),
                         twins=[("?" + urlencode([*query, ("format", "csv")]), "text/csv")],
                         schema={"@context": "https://schema.org/", "@type": "CollectionPage",
                                 "name": word(kind.word, lang), "inLanguage": lang},
                         toggle=lambda f, v: toggle(query, f, v), kinds=catalogue.KINDS,
                         keep=query)

    return await st.pages.page(request, ("browse", kind.key, selected, text, csv, page, lang), compute)


async def home(request: Request) -> Response:
    """What the catalogue holds, by class, with the way in to browse and query it."""
    lang = language(request)
    st = state_of(request)

    async def compute() -> Response:
        classes = await st.run(class_counts(lang), want_rows=True)
        total = await st.run("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", want_rows=True)
        return html_page("home.html", lang, request, title=word("site-title", lang),
                         classes=[cell(r, "c", "cl", "n", None) for r in classes.rows],
                         triples=int(total.rows[0]["n"].value),
                         queries=sorted(stored_queries().values(), key=lambda q: q.id),
                         kinds=catalogue.KINDS, twins=[("/.well-known/void", "text/turtle"),
                                                       ("/dump.nq", "application/n-quads")],
                         schema={"@context": "https://schema.org/", "@type": "Dataset",
                                 "name": word("site-title", lang), "description": word("home-intro", lang),
                                 "inLanguage": ["nb", "en"], "url": str(request.base_url),
                                 "distribution": [{"@type": "DataDownload", "encodingFormat": "application/n-quads",
                                                   "contentUrl": str(request.base_url) + "dump.nq"}]})

    return await st.pages.page(request, ("home", lang), compute)


async def queries_page(request: Request) -> Response:
    """The stored queries, by id."""
    lang = language(request)
    return html_page("queries.html", lang, request, title=word("page-queries", lang),
                     queries=sorted(stored_queries().values(), key=lambda q: q.id))


async def query_page(request: Request) -> Response:
    """A stored query's answer with the parameters given, as a page (first rows) or CSV (all)."""
    lang = language(request)
    st = state_of(request)
    stored = get_stored_query(request.path_params["name"])
    # a stored query's "lang" (language of names) follows the page language: one choice
    given = {p.name: request.query_params[p.name] for p in stored.params
             if p.name in request.query_params and p.name != "lang"}
    if stored.param("lang") is not None:
        given["lang"] = lang
    csv = request.query_params.get("format") == "csv"

    async def compute() -> Response:
        text = with_values_block(stored.sparql, bindings(stored, given))
        if csv:
            answer = await st.run(text, "text/csv", spreadsheet=True)
            return csv_download(answer.body, stored.id)
        # the page shows the first rows and says so; its CSV has them all (up to the row cap)
        answer = await st.run(text, want_rows=True, row_cap=st.config.page_rows, first_rows=True)
        # stored queries report invented data as ?illustrative (a row) or ?illustrativeCount (a group)
        illustrative = any((isinstance(row.get("illustrative"), ox.Literal)
                            and row["illustrative"].value in ("true", "1"))
                           or (isinstance(row.get("illustrativeCount"), ox.Literal)
                               and row["illustrativeCount"].value not in ("0", ""))
                           for row in answer.rows)
        return html_page("query.html", lang, request, title=stored.title_in(lang), query=stored,
                         given=given, variables=answer.variables, rows=answer.rows,
                         illustrative=illustrative, more=answer.more,
                         csv_link="?" + urlencode({**given, "format": "csv"}),
                         twins=[("?" + urlencode({**given, "format": "csv"}), "text/csv")],
                         keep=[(k, v) for k, v in given.items() if k != "lang"])

    return await st.pages.page(request, ("query", stored.id, tuple(sorted(given.items())), csv, lang), compute)


def csv_download(body: bytes, name: str) -> Response:
    """A table to save as ``name``.csv; its labels are in the reader's language."""
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"', "Vary": "Accept-Language, Cookie"})


def page_number(raw: str | None) -> int:
    """``?page=`` as a page number from 1 (a page past the end simply shows no items)."""
    if raw is None or raw == "":
        return 1
    if not re.fullmatch(r"[0-9]{1,6}", raw) or not 1 <= int(raw) <= 100_000:  # "²" is a digit to isdigit()
        raise OffriError("bad-page", {"value": raw[:40]})
    return int(raw)


def class_counts(lang: str) -> str:
    return (f"SELECT ?c (SAMPLE(?cl_) AS ?cl) (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?c . "
            f"FILTER(STRSTARTS(STR(?c), \"{OFFRI}\")) {catalogue.label_pattern('?c', '?cl_', lang, or_iri=False)} }} "
            "GROUP BY ?c ORDER BY DESC(?n)")


def toggle(query: list[tuple[str, str]], facet: str, value: str) -> str:
    """The link that adds ``value`` to ``facet``'s choices, or removes it if chosen."""
    name = "f." + facet
    if (name, value) in query:
        rest = [(k, v) for k, v in query if (k, v) != (name, value)]
    else:
        rest = [*query, (name, value)]
    return "?" + urlencode([(k, v) for k, v in rest if k != "format"])
