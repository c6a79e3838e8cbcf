"""How the server answers an error: one HTTP status per error code, in words, never a traceback.

Route handlers raise ``OffriError`` and never catch it; the handler registered here (Starlette's
``exception_handlers``) turns it into the answer, in the reader's language, as JSON for a
client that asks for JSON and as text otherwise.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from offri_kg.errors import OffriError
from offri_kg.i18n import message, render_error
from offri_kg.query.negotiate import choose
from offri_kg.web.pages import language
from offri_kg.web.protocol import ProtocolError

#: The HTTP status of each error code; any other error is the client's: 400.
STATUS = {"query-timeout": 503, "busy": 503, "busy-slow": 503, "busy-slow-wait": 503, "query-memory": 503,
          "client-wait": 429, "client-too-many": 429, "client-slow": 429, "login-wait": 429,
          "query-crashed": 500, "not-acceptable": 406,
          "endpoint-unreachable": 502, "endpoint-error": 502, "endpoint-partial": 502, "endpoint-timeout": 504,
          "endpoint-login-refused": 502, "remote-dataset": 400, "query-failed": 500,
          "store-locked": 503, "store-error": 500, "update-cross-site": 403, "dump-failed": 503,
          "too-many-rows": 422, "request-too-large": 413, "update-unauthorized": 401,
          "update-forbidden": 403, "not-found": 404, "unknown-query": 404,
          "unknown-query-none": 404}


def status_of(error: OffriError) -> int:
    """The HTTP status for ``error`` (a protocol refusal carries its own)."""
    if isinstance(error, ProtocolError):
        return error.status
    return STATUS.get(error.code, 400)


def error_response(request: Request, error: OffriError) -> Response:
    """``error`` in words, with the headers its status calls for (``Allow``, ``Retry-After``,
    ``WWW-Authenticate``)."""
    status = status_of(error)
    lang = language(request)
    text = render_error(error, lang)
    headers = {"Allow": "GET, POST"} if status == 405 else {}
    if status in (429, 503):  # when to try again: the pool's own estimate, else a few seconds
        headers["Retry-After"] = str(error.params.get("retry_after", 5))
    headers["Vary"] = "Accept, Accept-Language, Cookie"  # JSON or text, in the reader's language
    if choose(request.headers.get("accept"), ["text/plain", "application/json", "text/html"]) == "application/json":
        response: Response = JSONResponse({"error": error.code, "message": text}, status_code=status, headers=headers)
    else:
        response = PlainTextResponse(text + "\n", status_code=status, headers=headers)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="offri"'
    return response


async def offri_error(request: Request, exc: Exception) -> Response:
    """The registered handler for ``OffriError``."""
    assert isinstance(exc, OffriError)
    return error_response(request, exc)


async def not_found(request: Request, exc: Exception) -> Response:
    """An address no route takes: a 404 in words, in the reader's language."""
    return error_response(request, OffriError("not-found", {"what": request.url.path}))


async def unexpected(request: Request, exc: Exception) -> Response:
    """A bug must still answer in words, never with a stack trace (it is logged)."""
    logging.getLogger("offri.web").exception("unexpected error on %s", request.url.path)
    return PlainTextResponse(message("internal-error", language(request), kind=type(exc).__name__, detail=exc) + "\n",
                             status_code=500)


#: For ``Starlette(exception_handlers=...)``.
EXCEPTION_HANDLERS = {OffriError: offri_error, 404: not_found}


class CatchAll:
    """Outermost: an exception no handler took becomes a 500 answer in words, and the
    connection stays usable (Starlette's own handler re-raises, and the client is cut off)."""

    def __init__(self, app: object, handler: object) -> None:
        self.app, self.handler = app, handler

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # type: ignore[operator]
            return
        started = False

        async def tracking_send(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)  # type: ignore[operator]

        try:
            await self.app(scope, receive, tracking_send)  # type: ignore[operator]
        except Exception as exc:  # the last line of defence
            if started:
                raise
            response = await self.handler(Request(scope), exc)  # type: ignore[operator]
            await response(scope, receive, send)
