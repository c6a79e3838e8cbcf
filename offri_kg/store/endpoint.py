"""Where and how to talk to a remote SPARQL store: its addresses and the login, per endpoint.

They come from a TOML config file and the environment, never from a command line (a password in
argv is visible to every user of the machine):

    # $OFFRI_CONFIG, else $XDG_CONFIG_HOME/offri/config.toml (~/.config/offri/config.toml)
    [endpoint."http://127.0.0.1:8890/sparql"]
    update = "http://127.0.0.1:8890/sparql-auth"
    store = "http://127.0.0.1:8890/sparql-graph-crud-auth"
    graph_param = "graph-uri"
    user = "offri"
    auth = "digest"            # or "basic"
    password = "…"             # or $OFFRI_ENDPOINT_PASSWORD
    query_params = { }         # extra parameters sent with every query

Environment variables override the file: ``OFFRI_ENDPOINT_USER``, ``OFFRI_ENDPOINT_PASSWORD``,
``OFFRI_ENDPOINT_AUTH``, ``OFFRI_UPDATE_ENDPOINT``, ``OFFRI_STORE_ENDPOINT``. The two servers offri
is tested against (Oxigraph server, Virtuoso) need only the query address and the login.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from offri_kg.errors import InputError, Location


@dataclass(frozen=True)
class EndpointConfig:
    """Where and how to talk to one endpoint. ``repr`` never shows the password."""

    query: str
    update: str | None = None
    store: str | None = None
    graph_param: str = "graph"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "basic"
    query_params: dict[str, str] = field(default_factory=dict)

    @property
    def login(self) -> bool:
        """Whether requests carry a login (a user and a password are both known)."""
        return bool(self.user) and self.password is not None


def config_path(explicit: Path | None = None) -> Path:
    """``explicit``, else ``$OFFRI_CONFIG``, else ``$XDG_CONFIG_HOME/offri/config.toml``."""
    if explicit is not None:
        return Path(explicit)
    if os.environ.get("OFFRI_CONFIG"):
        return Path(os.environ["OFFRI_CONFIG"])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "offri" / "config.toml"


def _defaults(endpoint: str) -> dict[str, Any]:
    """What the two servers offri is tested against use, recognised by the query URL's path."""
    base, _, last = endpoint.rstrip("/").rpartition("/")
    if last == "query":  # Oxigraph server; its default graph is not the union unless asked
        return {"update": f"{base}/update", "store": f"{base}/store", "graph_param": "graph", "auth": "basic",
                "query_params": {"union-default-graph": ""}}
    if last == "sparql":  # Virtuoso; the anonymous /sparql is read-only
        return {"update": f"{base}/sparql-auth", "store": f"{base}/sparql-graph-crud-auth",
                "graph_param": "graph-uri", "auth": "digest", "query_params": {}}
    return {"update": None, "store": None, "graph_param": "graph", "auth": "basic", "query_params": {}}


def load_config(endpoint: str, config: Path | None = None) -> EndpointConfig:
    """The settings for ``endpoint``: defaults, then the config file's table, then the environment."""
    settings = _defaults(endpoint)
    path = config_path(config)
    if path.is_file():
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError("syntax-error", {"format": "TOML", "detail": str(exc)}, Location(str(path))) from None
        tables = document.get("endpoint", {})
        table = tables.get(endpoint) or tables.get(endpoint.rstrip("/")) or tables.get(endpoint.rstrip("/") + "/") or {}
        for key in ("update", "store", "graph_param", "user", "password", "auth"):
            if key in table:
                settings[key] = str(table[key])
        if "store" in table and "graph_param" not in table:
            settings["graph_param"] = "graph-uri" if "sparql-graph-crud" in str(table["store"]) else "graph"
        if "query_params" in table:
            settings["query_params"] = {str(k): str(v) for k, v in dict(table["query_params"]).items()}
    environment = {"OFFRI_UPDATE_ENDPOINT": "update", "OFFRI_STORE_ENDPOINT": "store", "OFFRI_ENDPOINT_USER": "user",
                   "OFFRI_ENDPOINT_PASSWORD": "password", "OFFRI_ENDPOINT_AUTH": "auth"}
    for variable, key in environment.items():
        if os.environ.get(variable):
            settings[key] = os.environ[variable]
    auth = str(settings.get("auth") or "basic").lower()
    if auth not in ("basic", "digest"):
        raise InputError("syntax-error", {"format": "TOML", "detail": f"auth must be basic or digest, not {auth!r}"},
                         Location(str(path)))
    return EndpointConfig(query=endpoint, update=settings.get("update") or None, store=settings.get("store") or None,
                          graph_param=settings.get("graph_param") or "graph", user=settings.get("user") or None,
                          password=settings.get("password"), auth=auth,
                          query_params=dict(settings.get("query_params") or {}))
