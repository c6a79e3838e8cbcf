"""Store: one interface, two backends — the embedded Oxigraph store on disk and any remote
SPARQL 1.1 store (Graph Store Protocol for loading)."""

from offri_kg.store.base import GraphInfo, LoadReport, QueryResult, Store, open_store
from offri_kg.store.layout import StoreLayout

__all__ = ["GraphInfo", "LoadReport", "QueryResult", "Store", "StoreLayout", "open_store"]
