"""The catalogue's browsing: type pages with facets that combine, and what a page says per class.

Facets are data (``KINDS``): a label and a graph pattern from the item ``?x`` to a value
``?v``. Values within one facet combine with OR, facets with AND (as in Participedia); each
facet's counts are taken under the other facets' choices, so a reader sees what one more
click would give. Chosen values are IRIs (checked) and search text is an rdflib-serialised
literal, so no request can change a query's shape.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import NamedTuple

import rdflib

from offri_kg.errors import OffriError
from offri_kg.vocab import BASE, DCT, OFFRI, RDFS, SKOS, sparql_prefixes

#: what every page query declares
PREFIXES = sparql_prefixes("offri", "org", "skos", "dct", "prov", "rdfs", "rdf")
_IRI = re.compile(r"https?://[^<>\"{}|^`\\\s]+")


@dataclass(frozen=True)
class Facet:
    key: str
    word: str  # its name on the page: a key of offri_kg.i18n's words
    pattern: str  # from ?x to ?v; other variables are private to the facet


@dataclass(frozen=True)
class Kind:
    key: str
    cls: str
    word: str  # its name on the page: a key of offri_kg.i18n's words
    facets: tuple[Facet, ...]

FORM = Facet("form", "facet-form", "?x offri:collaborationForm ?v .")
GOVERNANCE = Facet("governance", "facet-governance", "?x offri:governanceMode ?v .")
MUNICIPALITY = Facet("municipality", "facet-municipality", "?x offri:inMunicipality ?v .")
COUNTRY = Facet("country", "facet-country", "?x offri:inMunicipality/offri:country ?v .")

KINDS: dict[str, Kind] = {k.key: k for k in [
    Kind("models", OFFRI + "CollaborationModel", "kind-models", (
        FORM, GOVERNANCE,
        Facet("role", "facet-required-role", "?x offri:requiredRole ?v ."),
        Facet("anchoring", "facet-anchoring", "?x offri:anchoringType ?v ."),
        Facet("country", "facet-suits-country", "?x offri:suitsContext/offri:country ?v ."),
        Facet("adopted", "facet-adopted-in", "?x offri:hasAdoption/offri:adoptedBy ?v ."),
    )),
    Kind("partnerships", OFFRI + "Partnership", "kind-partnerships", (
        FORM, GOVERNANCE,
        Facet("sector", "facet-sector", "?_m org:organization ?x ; org:member/offri:sector ?v ."),
        Facet("role", "facet-role", "?_m org:organization ?x ; org:role ?v ."),
        Facet("goal", "facet-goal-theme", "?x offri:sharedGoal/offri:goalTheme ?v ."),
        Facet("anchoring", "facet-anchoring", "?x offri:anchoring/offri:anchoringType ?v ."),
        MUNICIPALITY, COUNTRY,
    )),
    Kind("cases", OFFRI + "Case", "kind-cases", (
        Facet("challenge", "facet-challenge", "?x offri:challenge/offri:challengeType ?v ."),
        Facet("municipality", "facet-municipality", "?x offri:describesPartnership/offri:inMunicipality ?v ."),
        Facet("country", "facet-country", "?x offri:describesPartnership/offri:inMunicipality/offri:country ?v ."),
    )),
    Kind("organisations", OFFRI + "Actor", "kind-organisations", (
        Facet("sector", "facet-sector", "?x offri:sector ?v ."),
        Facet("type", "facet-actor-type", "?x org:classification ?v ."),
        Facet("role", "facet-role", "?_m org:member ?x ; org:role ?v ."),
        Facet("municipality", "facet-municipality", "?_m org:member ?x ; org:organization/offri:inMunicipality ?v ."),
    )),
    Kind("municipalities", OFFRI + "Municipality", "kind-municipalities", (
        Facet("country", "facet-country", "?x offri:country ?v ."),
    )),
]}


def kind(key: str) -> Kind:
    if key not in KINDS:
        raise OffriError("not-found", {"what": key})
    return KINDS[key]


def selection(kind_: Kind, params: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The chosen facet values from query parameters ``f.<facet>=<IRI>`` (IRIs only)."""
    chosen: dict[str, list[str]] = {}
    keys = {f.key for f in kind_.facets}
    for name, value in params:
        if not name.startswith("f.") or not value:
            continue
        key = name[2:]
        if key not in keys or not _IRI.fullmatch(value):
            raise OffriError("bad-facet", {"facet": key, "value": value})
        chosen.setdefault(key, []).append(value)
    return chosen


def _private(pattern: str, suffix: str) -> str:
    """The facet's pattern with ?v and its helper variables renamed for one use."""
    return re.sub(r"\?(v|_\w+)\b", lambda m: f"?{m.group(1).lstrip('_')}_{suffix}", pattern)


def _filters(kind_: Kind, chosen: dict[str, list[str]], text: str | None, skip: str | None = None) -> str:
    parts = [f"?x rdf:type/rdfs:subClassOf* <{kind_.cls}> ."]
    for facet in kind_.facets:
        values = chosen.get(facet.key)
        if not values or facet.key == skip:
            continue
        suffix = "sel_" + facet.key.replace("-", "_")
        parts.append(f"VALUES ?v_{suffix} {{ {' '.join(f'<{v}>' for v in values)} }} {_private(facet.pattern, suffix)}")
    if text:
        needle = rdflib.Literal(text.lower()).n3()
        parts.append("FILTER EXISTS { ?x skos:prefLabel|rdfs:label|dct:description ?_text . "
                     f"FILTER(CONTAINS(LCASE(STR(?_text)), {needle})) }}")
    return " ".join(parts)


NAME = f"<{SKOS}prefLabel>|<{RDFS}label>"
#: what names a concept scheme or a dataset: its title too
TITLE = NAME + f"|<{DCT}title>"


def label_pattern(var: str, out: str, lang: str, or_iri: bool = True, name: str = NAME) -> str:
    """``out`` = the label of ``var`` (by the ``name`` property path) in ``lang``, else English,
    else any (else the IRI as text, with ``or_iri``). Written with full IRIs, so it fits queries
    with or without PREFIXES."""
    last = f", STR({var})" if or_iri else ""
    english = "" if lang == "en" else (  # the first one already is English
        f"OPTIONAL {{ {var} {name} {out}_2 FILTER(langMatches(lang({out}_2), \"en\")) }} ")
    return (f"OPTIONAL {{ {var} {name} {out}_1 FILTER(langMatches(lang({out}_1), \"{lang}\")) }} "
            + english +
            f"OPTIONAL {{ {var} {name} {out}_3 }} "
            f"BIND(COALESCE({out}_1, {out}_2, {out}_3{last}) AS {out})")


def items_query(kind_: Kind, chosen: dict[str, list[str]], text: str | None, lang: str, limit: int,
                offset: int = 0) -> str:
    """The items shown (``limit`` from ``offset``, by name): IRI, label, short description,
    illustrative mark. Every item is named to be sorted, but only the page's items get their
    description; names are sorted as strings the query makes (``CONCAT``), because on
    Oxigraph's on-disk store ``ORDER BY`` on a stored string reads it from disk at every
    comparison (partnerships at 1M: 1.1 s → see README)."""
    return (PREFIXES + "SELECT ?x ?label (SAMPLE(?desc_) AS ?description) "
            "(MAX(COALESCE(?ill_, false)) AS ?illustrative) WHERE { "
            "{ SELECT ?x ?label ?sort WHERE { "
            "{ SELECT ?x (SAMPLE(?label_) AS ?label) WHERE { "
            + _filters(kind_, chosen, text) + " " + label_pattern("?x", "?label_", lang) + " } GROUP BY ?x } "
            "BIND(CONCAT(\"~\", LCASE(STR(?label))) AS ?sort) } "
            f"ORDER BY ?sort ?x LIMIT {int(limit)} OFFSET {int(offset)} }} "
            f"OPTIONAL {{ ?x dct:description ?desc_ FILTER(langMatches(lang(?desc_), \"{lang}\")) }} "
            "OPTIONAL { ?x offri:illustrative ?ill_ } } GROUP BY ?x ?label ?sort ORDER BY ?sort ?x")


def count_query(kind_: Kind, chosen: dict[str, list[str]], text: str | None) -> str:
    return PREFIXES + "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { " + _filters(kind_, chosen, text) + " }"


#: The most values a facet lists (the most common first).
FACET_VALUES = 200


def facet_query(kind_: Kind, facet: Facet, chosen: dict[str, list[str]], text: str | None, lang: str) -> str:
    """Counts per value of ``facet`` under the other facets' choices: counted first, then each
    value (a few hundred at most) is named once, not once per item."""
    return (PREFIXES + "SELECT ?v (SAMPLE(?vl_) AS ?label) (SAMPLE(?n_) AS ?n) WHERE { "
            "{ SELECT ?v (COUNT(DISTINCT ?x) AS ?n_) WHERE { "
            + _filters(kind_, chosen, text, skip=facet.key) + " " + _private(facet.pattern, "count").replace("?v_count", "?v")
            + " } GROUP BY ?v } " + label_pattern("?v", "?vl_", lang)
            + f" }} GROUP BY ?v ORDER BY DESC(?n) LCASE(STR(?label)) LIMIT {FACET_VALUES}")


# ---- what a resource page says, per class ---------------------------------------------------------
class Section(NamedTuple):
    """A line of a resource page: its title (a key of offri_kg.i18n's words) and the property
    path from the resource to the values it lists."""

    word: str
    path: str


#: The sections of a resource page, per class.
CLASS_SECTIONS: dict[str, list[Section]] = {
    OFFRI + "CollaborationModel": [
        Section("section-collaboration-form", "offri:collaborationForm"),
        Section("section-required-roles", "offri:requiredRole"),
        Section("section-governance", "offri:governanceMode"),
        Section("section-leadership", "offri:leadershipArrangement"),
        Section("section-anchoring", "offri:anchoringType"),
        Section("section-suits", "offri:suitsContext"),
        Section("section-derived-from-cases", "prov:wasDerivedFrom"),
        Section("section-expected-challenges", "offri:expectedChallenge"),
        Section("section-borrows-clusters", "offri:borrowsClusterPractice"),
        Section("section-adopted-in", "offri:hasAdoption/offri:adoptedBy"),
    ],
    OFFRI + "Partnership": [
        Section("section-municipality", "offri:inMunicipality"),
        Section("section-status", "offri:status"),
        Section("section-collaboration-form", "offri:collaborationForm"),
        Section("section-activity", "offri:activityType"),
        Section("section-governance", "offri:governanceMode"),
        Section("section-leadership", "offri:leadershipArrangement"),
        Section("section-shared-goals", "offri:sharedGoal"),
        Section("section-anchoring", "offri:anchoring/offri:anchoringType"),
        Section("section-challenges", "offri:challenge/offri:challengeType"),
        Section("section-described-in-case", "^offri:describesPartnership"),
        Section("section-derived-models", "^offri:describesPartnership/^prov:wasDerivedFrom"),
    ],
    OFFRI + "Case": [
        Section("section-the-partnership", "offri:describesPartnership"),
        Section("section-challenges", "offri:challenge/offri:challengeType"),
        Section("section-derived-models", "^prov:wasDerivedFrom"),
        Section("section-sources", "dct:source"),
    ],
}

def sections_query(iri: str, cls: str, lang: str) -> str | None:
    """One row per (section, value, label) for a resource of class ``cls``; None if it has none."""
    sections = CLASS_SECTIONS.get(cls)
    if not sections:
        return None
    unions = " UNION ".join(f"{{ BIND({i} AS ?section) <{iri}> {s.path} ?value }}" for i, s in enumerate(sections))
    return (PREFIXES + "SELECT ?section ?value (SAMPLE(?l_) AS ?label) WHERE { " + unions + " "
            + label_pattern("?value", "?l_", lang) + " } GROUP BY ?section ?value ORDER BY ?section LCASE(STR(?label))")


def participation_query(iri: str, lang: str) -> str:
    """Who takes which role in partnership ``iri`` (for the diagram)."""
    # the role's label is looked up inside the OPTIONAL that binds the role: outside it, Oxigraph
    # would match every label in the store first (at 1M: 0.8 s instead of 1 ms)
    return (PREFIXES + "SELECT ?actor (SAMPLE(?al_) AS ?actorLabel) ?role (SAMPLE(?rl_) AS ?roleLabel) "
            "(SAMPLE(?sector_) AS ?sector) WHERE { ?m org:organization <" + iri + "> ; org:member ?actor . "
            "OPTIONAL { ?m org:role ?role . " + label_pattern("?role", "?rl_", lang) + " } "
            "OPTIONAL { ?actor offri:sector ?sector_ } " + label_pattern("?actor", "?al_", lang)
            + " } GROUP BY ?actor ?role ORDER BY ?actorLabel ?roleLabel")


def role_diagram(center: str, rows: list[dict[str, str]], title: str) -> str:
    """An SVG network: the partnership in the middle, each actor around it, edges named by role.

    Public actors are drawn as rectangles, voluntary ones as rounded boxes, others as ellipses,
    so the sector reads without colour as well."""
    actors: dict[str, dict[str, object]] = {}
    for row in rows:
        entry = actors.setdefault(row["actor"], {"label": row["actorLabel"], "roles": [], "sector": row.get("sector") or ""})
        if row.get("roleLabel"):
            entry["roles"].append(row["roleLabel"])  # type: ignore[union-attr]
    width, height, cx, cy, radius = 720, 460, 360, 230, 170
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-labelledby="diagram-title" class="diagram"><title id="diagram-title">{html.escape(title)}</title>']
    n = max(1, len(actors))
    placed = []
    for i, (iri, entry) in enumerate(actors.items()):
        angle = 2 * math.pi * i / n - math.pi / 2
        x, y = cx + radius * 1.45 * math.cos(angle), cy + radius * math.sin(angle)
        placed.append((iri, entry, x, y))
        roles = ", ".join(entry["roles"]) or "—"  # type: ignore[arg-type]
        out.append(f'<line x1="{cx:.0f}" y1="{cy:.0f}" x2="{x:.0f}" y2="{y:.0f}" stroke="#555" stroke-width="1.5"/>')
        out.append(f'<text x="{(cx + x) / 2:.0f}" y="{(cy + y) / 2 - 4:.0f}" text-anchor="middle" font-size="12" '
                   f'fill="#1a1a1a" paint-order="stroke" stroke="#fff" stroke-width="4">{html.escape(roles)}</text>')
    out.append(f'<ellipse cx="{cx}" cy="{cy}" rx="95" ry="34" fill="#e8f0fa" stroke="#0b5394" stroke-width="2"/>')
    out.append(f'<text x="{cx}" y="{cy + 5}" text-anchor="middle" font-size="13" font-weight="600">'
               f'{html.escape(_clip(center, 28))}</text>')
    for iri, entry, x, y in placed:
        sector = str(entry["sector"])
        shape = ('<rect x="{x0:.0f}" y="{y0:.0f}" width="170" height="40" rx="{r}" fill="#fff" stroke="#333" stroke-width="1.5"/>'
                 .format(x0=x - 85, y0=y - 20, r=14 if sector.endswith("/voluntary") else 0))
        if not (sector.endswith("/voluntary") or sector.endswith("/public")):
            shape = f'<ellipse cx="{x:.0f}" cy="{y:.0f}" rx="85" ry="20" fill="#fff" stroke="#333" stroke-width="1.5" stroke-dasharray="4 3"/>'
        href = (iri.replace(BASE, "/doc/", 1) if iri.startswith(BASE)
                else iri if iri.startswith(("http://", "https://")) else "#")
        out.append(f'<a href="{html.escape(href)}">{shape}<text x="{x:.0f}" y="{y + 4:.0f}" text-anchor="middle" '
                   f'font-size="12">{html.escape(_clip(str(entry["label"]), 26))}</text></a>')
    out.append("</svg>")
    return "".join(out)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
