"""The stored queries: ``queries/*.rq`` files whose header (``#+`` lines, TOML) a program reads.

A header looks like::

    #+ id = "q01-partnerships"
    #+ question = 1
    #+ title.nb = "Samarbeid i en kommune"
    #+ title.en = "Partnerships in a municipality"
    #+ description.nb = "…"
    #+ description.en = "…"
    #+ [[param]]
    #+ name = "municipality"          # the SPARQL variable ?municipality
    #+ type = "iri"                   # iri | concept | string | integer | decimal | date | boolean
    #+ default = "https://w3id.org/offri/id/municipality/arendal"   # optional
    #+ values = ["…", "…"]            # optional: the allowed values
    #+ scheme = "https://w3id.org/offri/vocab/role"   # concept: allowed = the scheme's concepts
    #+ label.nb = "Kommune"
    #+ label.en = "Municipality"

A parameter given no value and having no default stays unbound: the query answers for all —
unless the header says ``required = true``, when leaving it empty is an error.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from offri_kg.errors import OffriError
from offri_kg.resources import resource_dir

PARAM_TYPES = ("iri", "concept", "string", "integer", "decimal", "date", "boolean")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None = None
    values: tuple[str, ...] = ()
    scheme: str | None = None
    label: dict[str, str] = field(default_factory=dict)
    #: A required parameter may not be left empty (header key ``required = true``): for a query
    #: whose shape needs the value, "unbound" would not mean "all".
    required: bool = False

    def text(self, lang: str) -> str:
        return self.label.get(lang) or self.label.get("en") or self.name


@dataclass(frozen=True)
class StoredQuery:
    id: str
    question: tuple[int, ...]
    title: dict[str, str]
    description: dict[str, str]
    params: tuple[Param, ...]
    sparql: str
    path: Path
    #: Named parameter sets the golden tests run besides the defaults (header key ``cases``).
    cases: dict[str, dict[str, str]] = field(default_factory=dict)

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["en"]

    def description_in(self, lang: str) -> str:
        return self.description.get(lang) or self.description.get("en", "")

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def parse_stored_query(path: Path) -> StoredQuery:
    """Read one ``.rq`` file with its ``#+`` header."""
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line[3:] if line.startswith("#+ ") else line[2:]
                       for line in text.splitlines() if line.startswith("#+"))
    meta = tomllib.loads(header)
    question = meta.get("question", ())
    params = []
    for item in meta.get("param", []):
        if item["type"] not in PARAM_TYPES:
            raise ValueError(f"{path}: parameter {item['name']} has unknown type {item['type']}")
        params.append(Param(name=item["name"], type=item["type"], default=item.get("default"),
                            values=tuple(item.get("values", ())), scheme=item.get("scheme"),
                            label=dict(item.get("label", {})), required=bool(item.get("required", False))))
    return StoredQuery(id=meta["id"], question=tuple(question) if isinstance(question, list) else (question,),
                       title=dict(meta["title"]), description=dict(meta.get("description", {})),
                       params=tuple(params), sparql=text, path=path,
                       cases={name: dict(values) for name, values in meta.get("cases", {}).items()})


@lru_cache(maxsize=1)
def stored_queries() -> dict[str, StoredQuery]:
    """Every stored query shipped with offri, by id."""
    queries = {}
    for path in sorted(resource_dir("queries").glob("*.rq")):
        query = parse_stored_query(path)
        queries[query.id] = query
    return queries


def get_stored_query(name: str) -> StoredQuery:
    """The stored query ``name``; an unknown name raises with the close matches."""
    queries = stored_queries()
    if name in queries:
        return queries[name]
    if name.lower() in queries:  # Q01-PARTNERSHIPS is q01-partnerships
        return queries[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(queries), n=3, cutoff=0.4)
    close += [q for q in queries if name and name.lower() in q and q not in close]
    if not close:
        raise OffriError("unknown-query-none", {"name": name})
    raise OffriError("unknown-query", {"name": name, "matches": ", ".join(close[:3])})
