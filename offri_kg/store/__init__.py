"""Store: one interface, two backends — the embedded Oxigraph store on disk and any remote
SPARQL 1.1 store (Graph Store Protocol for loading)."""

from offri_kg.store.base import GraphInfo, LoadReport, QueryResult, Store, open_store

__all__ = ["GraphInfo", "LoadReport", "QueryResult", "Store", "open_store"]
