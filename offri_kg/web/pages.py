"""What every HTML page shares: the templates, the reader's language, and which IRIs become links.

One place for them, so the catalogue (``app``) and the SPARQL editor (``editor``) render alike.
"""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request

from offri_kg.i18n import LANGS
from offri_kg.names import shorten
from offri_kg.web.text import w

BASE = "https://w3id.org/offri/"


def language(request: Request) -> str:
    """?lang=, then the cookie, then Accept-Language; bokmål also for nn/no."""
    chosen = request.query_params.get("lang") or request.cookies.get("lang")
    if chosen in LANGS:
        return chosen
    for tag in preferred_languages(request.headers.get("accept-language") or ""):
        if tag.startswith(("nb", "nn", "no")):
            return "nb"
        if tag.startswith("en"):
            return "en"
    return "en"


def preferred_languages(header: str) -> list[str]:
    """The language tags of an ``Accept-Language`` header, most wanted first; ``q=0`` means
    "not this one" (RFC 9110 §12.5.4). Ties keep the header's order."""
    weighted = []
    for index, part in enumerate(header.lower().split(",")):
        tag, _, params = part.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.strip() and quality > 0:
            weighted.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def link(term: object) -> str | None:
    """Where a term links to: our own document for our IRIs, the IRI itself for http(s) ones,
    nothing for any other scheme (a ``javascript:`` IRI in the data must not become a link)."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(BASE):
        rest = term.value[len(BASE):]
        if rest.startswith("ns#"):
            return "/doc/ns#" + rest[3:]
        return "/doc/" + rest
    if isinstance(term, ox.NamedNode) and term.value.startswith(("http://", "https://")):
        return term.value
    return None


@lru_cache(maxsize=1)
def templates() -> Environment:
    """The page templates, read once: a running server never mixes new templates with old code."""
    env = Environment(loader=PackageLoader("offri_kg.web", "templates"), autoescape=select_autoescape(),
                      auto_reload=False)
    env.globals["w"] = w
    env.filters["short"] = shorten
    env.filters["link"] = link  # only our documents and http(s) IRIs become links
    return env
