"""Linked data: minted IRIs answer 303 to their documents, and ``/doc/…`` serves each document
as a page or as RDF (Turtle, JSON-LD, N-Triples, RDF/XML) by extension or ``Accept``.

A document is a resource's page, the ontology's page (``/doc/ns``, one anchor per term, so the
hash IRIs ``…/ns#Term`` land on their entry) or a concept scheme's (hierarchy and A–Z, as
Skosmos shows them). Every document is cached per store generation (``web.cache``).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from offri_kg.errors import OffriError
from offri_kg.i18n import word
from offri_kg.query.negotiate import choose
from offri_kg.vocab import BASE, DCT, OFFRI, RDF_TYPE, RDFS, SKOS, sparql_prefixes
from offri_kg.web import catalogue
from offri_kg.web.pages import cell, html_page, language, link
from offri_kg.web.state import state_of

ILLUSTRATIVE = OFFRI + "illustrative"
#: URL path prefixes of minted resources (slash URIs: 303 to a document)
MINTED = ("id", "vocab", "graph")
#: a document's RDF twins by file ending (``/doc/x.ttl``), in the order pages list them
RDF_EXTENSIONS = {fmt.file_extension: fmt.media_type
                  for fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML)}
#: schema.org types for the JSON-LD a page embeds
SCHEMA_TYPES = {OFFRI + "Actor": "Organization", OFFRI + "Municipality": "GovernmentOrganization",
                OFFRI + "Partnership": "Project", OFFRI + "CollaborationModel": "HowTo", OFFRI + "Case": "Report",
                OFFRI + "Goal": "Thing", SKOS + "Concept": "DefinedTerm", SKOS + "ConceptScheme": "DefinedTermSet"}
#: what may not appear in a document path (it would end or escape the IRI in a query)
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\#\x7f]')
#: what a document is offered as, preferred first
DOC_OFFERS = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]


async def minted(request: Request) -> Response:
    """A resource URI: 303 See Other to the document about it (W3C Cool URIs)."""
    raw = request.scope.get("raw_path")  # as sent: "%25" must stay escaped in the Location
    path = (raw.decode("latin-1") if raw else quote(request.url.path)).lstrip("/")
    media = choose(request.headers.get("accept"), DOC_OFFERS) or "text/html"
    suffix = "" if media == "text/html" else "." + next(k for k, v in RDF_EXTENSIONS.items() if v == media)
    return RedirectResponse(f"/doc/{path}{suffix}", status_code=303, headers={"Vary": "Accept"})


async def ontology_redirect(request: Request) -> Response:
    """``/ns``, the ontology's IRI without its hash: 303 to its document."""
    return RedirectResponse("/doc/ns", status_code=303, headers={"Vary": "Accept"})


async def document(request: Request) -> Response:
    """``/doc/<path>[.<ext>]``: the document about ``BASE + path``, as HTML or RDF."""
    path = request.path_params["path"]
    media = None
    for ext, mt in [*RDF_EXTENSIONS.items(), ("html", "text/html")]:
        if path.endswith("." + ext):
            path, media = path[: -len(ext) - 1], mt
            break
    if media is None:
        media = choose(request.headers.get("accept"), DOC_OFFERS) or "text/html"
    if _NOT_IN_IRI.search(path):
        # the path becomes an IRI in a query: nothing that could end or escape it gets in
        raise OffriError("not-found", {"what": path[:80]})
    iri = BASE + path
    lang = language(request)

    async def compute() -> Response:
        if media != "text/html":
            answer = await state_of(request).run(describe_document(iri, path), media)
            if not answer.body:
                raise OffriError("not-found", {"what": iri})
            return Response(answer.body, media_type=answer.content_type,
                            headers={"Vary": "Accept", "Link": f'<{iri}>; rel="describes"'})
        if iri == BASE + "ns":
            return await ontology_page(lang, request)
        if path.startswith("vocab/") and path.count("/") == 1:
            return await scheme_page(iri, lang, request)
        return await resource_page(iri, lang, request)

    return await state_of(request).pages.page(request, ("doc", iri, media, lang), compute)


async def resource_page(iri: str, lang: str, request: Request) -> Response:
    """A resource's statements, what links to it, and its class's own sections (and, for a
    partnership, who takes which role)."""
    # everything the page may show, in one batch: the class-specific sections come back
    # empty for a resource of another class
    section_classes = list(catalogue.CLASS_SECTIONS)
    answers = await state_of(request).run_pages([
        outgoing(iri, lang), incoming(iri, lang), catalogue.participation_query(iri, lang),
        *[catalogue.sections_query(iri, cls, lang) or "" for cls in section_classes]])
    out, links_here, people = answers[0], answers[1], answers[2]
    section_rows = dict(zip(section_classes, answers[3:]))
    if not out.rows:
        raise OffriError("not-found", {"what": iri})
    values = [cell(r, "p", "pl", "o", "ol") for r in out.rows]
    label = best_label(out.rows, iri, lang)
    types = [v for v in values if v["p"] == RDF_TYPE]
    illustrative = any(r["p"].value == ILLUSTRATIVE and r["o"].value in ("true", "1") for r in out.rows)
    path = iri[len(BASE):]
    schema_type = next((SCHEMA_TYPES[t["value"]] for t in types if t["value"] in SCHEMA_TYPES), "Thing")
    json_ld = {"@context": "https://schema.org/", "@id": iri, "@type": schema_type, "name": label,
               "url": str(request.url_for("document", path=path)), "inLanguage": lang}
    if illustrative:
        json_ld["disambiguatingDescription"] = word("illustrative-badge", lang)
    description = next((r["o"].value for r in out.rows if r["p"].value in (DCT + "description", SKOS + "definition")
                        and isinstance(r["o"], ox.Literal) and r["o"].language in (lang, None)), None)
    if description:
        json_ld["description"] = description
    sections, diagram = [], None
    for cls in [t["value"] for t in types]:
        if cls not in section_rows:
            continue
        rows = section_rows[cls].rows
        for index, section in enumerate(catalogue.CLASS_SECTIONS[cls]):
            shown = [{"label": r["label"].value, "href": link(r["value"])} for r in rows
                     if int(r["section"].value) == index]
            if shown:
                sections.append({"title": word(section.word, lang), "values": shown})
        if cls == OFFRI + "Partnership":
            diagram = catalogue.role_diagram(label, [
                {"actor": r["actor"].value, "actorLabel": r["actorLabel"].value,
                 "roleLabel": r["roleLabel"].value if r["roleLabel"] else "",
                 "sector": r["sector"].value if r["sector"] else ""} for r in people.rows],
                word("diagram-title", lang, name=label))
    return html_page("resource.html", lang, request, title=label, iri=iri, path=path, types=types,
                     sections=sections, diagram=diagram,
                     values=[v for v in values if v["p"] != RDF_TYPE], illustrative=illustrative,
                     description=description,
                     incoming=[cell(r, "p", "pl", "s", "sl") for r in links_here.rows],
                     schema=json_ld, twins=[(f"/doc/{path}.{ext}", mt) for ext, mt in RDF_EXTENSIONS.items()])


async def ontology_page(lang: str, request: Request) -> Response:
    """The ontology as a page: each class and property with its label, definition and an
    anchor, so the hash URIs ``…/ns#Term`` land on their own entry."""
    rows = (await state_of(request).run(
        catalogue.PREFIXES + sparql_prefixes("owl") +
        "SELECT ?term ?kind (SAMPLE(?l_) AS ?label) (SAMPLE(?c_) AS ?comment) WHERE { "
        "VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty } "
        f"?term a ?kind . FILTER(STRSTARTS(STR(?term), \"{OFFRI}\")) "
        + catalogue.label_pattern("?term", "?l_", lang)
        + f" OPTIONAL {{ ?term rdfs:comment|skos:definition ?c_ FILTER(langMatches(lang(?c_), \"{lang}\")) }} }}"
        " GROUP BY ?term ?kind ORDER BY ?kind LCASE(STR(?label))", want_rows=True)).rows
    groups: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        groups.setdefault(r["kind"].value.rsplit("#", 1)[-1], []).append({
            "anchor": r["term"].value.rsplit("#", 1)[-1], "iri": r["term"].value, "label": r["label"].value,
            "comment": r["comment"].value if r["comment"] else ""})
    if not groups:
        raise OffriError("not-found", {"what": BASE + "ns"})
    return html_page("ontology.html", lang, request, title=word("page-ontology", lang), groups=groups)


async def scheme_page(iri: str, lang: str, request: Request) -> Response:
    """A concept scheme: its hierarchy (broader/narrower) and an A–Z list, as Skosmos shows them."""
    st = state_of(request)
    rows = (await st.run(catalogue.PREFIXES + "SELECT ?c (SAMPLE(?l_) AS ?label) (SAMPLE(?b_) AS ?broader) "
                         f"(SAMPLE(?d_) AS ?definition) WHERE {{ ?c skos:inScheme <{iri}> . "
                         "OPTIONAL { ?c skos:broader ?b_ } "
                         f"OPTIONAL {{ ?c skos:definition ?d_ FILTER(langMatches(lang(?d_), \"{lang}\")) }} "
                         + catalogue.label_pattern("?c", "?l_", lang) + " } GROUP BY ?c", want_rows=True)).rows
    scheme = (await st.run(catalogue.PREFIXES + "SELECT ?label WHERE { "
                           + catalogue.label_pattern(f"<{iri}>", "?label", lang, name=catalogue.TITLE)
                           + " }", want_rows=True)).rows
    if not rows:
        raise OffriError("not-found", {"what": iri})
    concepts = {r["c"].value: {"iri": r["c"].value, "href": link(r["c"]), "label": r["label"].value,
                               "definition": r["definition"].value if r["definition"] else "",
                               "broader": r["broader"].value if r["broader"] else None, "narrower": []}
                for r in rows}
    tops = []
    for concept in sorted(concepts.values(), key=lambda c: c["label"].lower()):
        parent = concepts.get(concept["broader"]) if concept["broader"] else None
        (parent["narrower"] if parent else tops).append(concept)
    letters: dict[str, list[dict]] = {}
    for concept in sorted(concepts.values(), key=lambda c: c["label"].lower()):
        letters.setdefault(concept["label"][:1].upper(), []).append(concept)
    title = scheme[0]["label"].value if scheme else iri
    return html_page("scheme.html", lang, request, title=title, iri=iri, tops=tops, letters=letters)


# ---- the queries behind the documents ---------------------------------------------------------
def outgoing(iri: str, lang: str) -> str:
    return (f"SELECT ?p ?o (SAMPLE(?pl_) AS ?pl) (SAMPLE(?ol_) AS ?ol) WHERE {{ <{iri}> ?p ?o . "
            f"{catalogue.label_pattern('?p', '?pl_', lang, or_iri=False)} {catalogue.label_pattern('?o', '?ol_', lang, or_iri=False)} }} "
            "GROUP BY ?p ?o ORDER BY ?p ?o")


def incoming(iri: str, lang: str) -> str:
    return (f"SELECT ?s ?p (SAMPLE(?sl_) AS ?sl) (SAMPLE(?pl_) AS ?pl) WHERE {{ ?s ?p <{iri}> . "
            f"{catalogue.label_pattern('?s', '?sl_', lang, or_iri=False)} {catalogue.label_pattern('?p', '?pl_', lang, or_iri=False)} }} "
            "GROUP BY ?s ?p ORDER BY ?p ?s LIMIT 500")


def describe(iri: str) -> str:
    """The resource's own statements, with the blank nodes they point to (periods, addresses)."""
    return (f"CONSTRUCT {{ <{iri}> ?p ?o . ?o ?p2 ?o2 }} WHERE {{ <{iri}> ?p ?o "
            "OPTIONAL { FILTER(isBlank(?o)) ?o ?p2 ?o2 } }")


def describe_document(iri: str, path: str) -> str:
    """The RDF a document URI serves: the whole ontology for ``ns``, a whole concept scheme for
    ``vocab/<scheme>``, else the resource's own statements."""
    if iri == BASE + "ns":
        return ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "
                f"FILTER(?s = <{iri}> || STRSTARTS(STR(?s), \"{OFFRI}\")) }}")
    if path.startswith("vocab/") and path.count("/") == 1:
        return (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ BIND(<{iri}> AS ?s) ?s ?p ?o }} UNION "
                f"{{ ?s <{SKOS}inScheme> <{iri}> ; ?p ?o }} }}")
    return describe(iri)


def best_label(rows: list[dict], iri: str, lang: str) -> str:
    """The resource's name in ``lang``, else in English, else any, else the end of its IRI."""
    labels = [r["o"] for r in rows if r["p"].value in (SKOS + "prefLabel", RDFS + "label", DCT + "title")
              and isinstance(r["o"], ox.Literal)]
    for wanted in (lang, "en", None):
        for label in labels:
            if wanted is None or (label.language or "").lower().startswith(wanted):
                return label.value
    return iri.rsplit("/", 1)[-1]
