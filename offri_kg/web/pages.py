"""What every HTML page shares: the templates, the reader's language, and which IRIs become links.

One place for them, so the catalogue's pages (``linked_data``, ``browse``) and the SPARQL editor
(``editor``) render alike.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qs, urlencode

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import Response

from offri_kg.i18n import LANGS, word
from offri_kg.names import shorten
from offri_kg.vocab import BASE


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
    env.globals["w"] = word  # the templates' short name for a word
    env.filters["short"] = shorten
    env.filters["link"] = link  # only our documents and http(s) IRIs become links
    return env


def html_page(template: str, lang: str, request: Request,
              keep: list[tuple[str, str]] | None = None, **context: object) -> Response:
    """A page; its language link keeps ``keep`` (what the page understood of the request, never
    the raw query string: pages are cached without it)."""
    other = "en" if lang == "nb" else "nb"
    switch_url = request.url.path + "?" + urlencode([*(keep or []), ("lang", other)])
    body = templates().get_template(template).render(lang=lang, other=other, page_path=request.url.path,
                                                     switch_url=switch_url, **context)
    return Response(body, media_type="text/html; charset=utf-8", headers={"Vary": "Accept, Accept-Language, Cookie"})


def cell(row: dict, key: str, key_label: str, value: str, value_label: str | None) -> dict[str, object]:
    """One row of a page table: IRIs become local links where they are ours."""
    term = row[value]
    out: dict[str, object] = {"p": row[key].value if row[key] is not None else "",
                              "p_label": row[key_label].value if row[key_label] is not None else shorten(str(row[key])),
                              "p_href": link(row[key])}
    if isinstance(term, ox.NamedNode):
        label = row[value_label].value if value_label and row[value_label] is not None else shorten(str(term))
        out.update(value=term.value, label=label, href=link(term), literal=False)
    elif isinstance(term, ox.Literal):
        out.update(value=term.value, label=term.value, href=None, literal=True, lang=term.language)
    else:
        out.update(value=str(term), label=str(term), href=None, literal=True, lang=None)
    return out


class LanguageCookie:
    """Remembers a language chosen with ``?lang=`` in a cookie (outside the page cache, so a
    cached page never carries or lacks someone else's cookie)."""

    def __init__(self, app: object) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        chosen = None
        if scope["type"] == "http":
            values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [])
            chosen = values[0] if values and values[0] in LANGS else None
        if chosen is None:
            await self.app(scope, receive, send)  # type: ignore[operator]
            return

        async def send_with_cookie(message: dict) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"set-cookie", f"lang={chosen}; Path=/; SameSite=Lax".encode())]
            await send(message)  # type: ignore[operator]

        await self.app(scope, receive, send_with_cookie)  # type: ignore[operator]
