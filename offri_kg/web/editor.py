"""The SPARQL editor page: YASGUI, served by ``offri serve`` itself, talking to its own ``/sparql``.

YASGUI's built files are vendored in ``static/vendor/yasgui/`` (see ``web-vendor/update.sh``), so
the page loads nothing from another origin and works offline. ``static/editor.js`` starts it:
one tab per stored query (with its default parameters bound), the endpoint fixed to this
server, and the autocompleters that ask outside services (Linked Open Vocabularies for classes
and properties) left out.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from offri_kg.i18n import word
from offri_kg.names import PREFIXES
from offri_kg.query.bind import bindings, with_values_block
from offri_kg.query.library import stored_queries
from offri_kg.web.pages import language, templates
from offri_kg.web.security import EDITOR_CONTENT_SECURITY_POLICY

#: Where the vendored YASGUI lives under ``/static``.
YASGUI = "vendor/yasgui"


def editor_routes() -> list:
    """The static files (``/static/…``) and the editor page (``/editor``)."""
    return [
        Mount("/static", app=StaticFiles(packages=[("offri_kg.web", "static")]), name="static"),
        Route("/editor", editor_page, name="editor"),
    ]


def editor_tabs(lang: str) -> list[dict[str, str]]:
    """One tab per stored query, in id order: its title in ``lang`` and its text with defaults bound."""
    tabs = []
    for query in sorted(stored_queries().values(), key=lambda q: q.id):
        tabs.append({"id": query.id, "name": query.title_in(lang),
                     "query": with_values_block(query.sparql, bindings(query, {}))})
    return tabs


def script_json(value: object) -> str:
    """``value`` as JSON that is safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


async def editor_page(request: Request) -> Response:
    lang = language(request)
    other = "en" if lang == "nb" else "nb"
    tabs = editor_tabs(lang)
    config = {"endpoint": "/sparql", "tabs": tabs, "prefixes": PREFIXES, "newTab": word("editor-new-tab", lang)}
    body = templates().get_template("editor.html").render(
        lang=lang, other=other, page_path=request.url.path, title=word("page-editor", lang), yasgui=YASGUI,
        tabs=tabs, config=script_json(config))
    return Response(body, media_type="text/html; charset=utf-8", headers={
        "Vary": "Accept-Language, Cookie", "Content-Security-Policy": EDITOR_CONTENT_SECURITY_POLICY})
