"""Words of the web pages in Norwegian bokmål and English (errors live in ``offri_kg.i18n``)."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "site-title": {"nb": "offri – samarbeidsmodeller for offentlig og frivillig sektor",
                   "en": "offri – collaboration models for the public and voluntary sectors"},
    "home-intro": {"nb": "En katalog over samarbeid mellom kommuner og frivillige organisasjoner: hvem som tar hvilken "
                         "rolle, med hvilke mål, hvordan samarbeidet er forankret, og modellene som kan overføres.",
                   "en": "A catalogue of partnerships between municipalities and voluntary organisations: who takes "
                         "which role, with what goals, how the collaboration is anchored, and the models that transfer."},
    "holds": {"nb": "Katalogen inneholder", "en": "The catalogue holds"},
    "aria-facets": {"nb": "Filtre", "en": "Filters"},
    "kind-Class": {"nb": "Klasser", "en": "Classes"},
    "kind-ObjectProperty": {"nb": "Objektegenskaper", "en": "Object properties"},
    "kind-DatatypeProperty": {"nb": "Dataegenskaper", "en": "Datatype properties"},
    "kind-AnnotationProperty": {"nb": "Annotasjonsegenskaper", "en": "Annotation properties"},
    "aria-main": {"nb": "Hovedmeny", "en": "Main menu"},
    "triples": {"nb": "tripler", "en": "triples"},
    "graphs": {"nb": "Grafer", "en": "Graphs"},
    "queries": {"nb": "Lagrede spørringer", "en": "Stored queries"},
    "sparql": {"nb": "SPARQL-endepunkt", "en": "SPARQL endpoint"},
    "run": {"nb": "Kjør", "en": "Run"},
    "download-csv": {"nb": "Last ned CSV", "en": "Download CSV"},
    "rows": {"nb": "rader", "en": "rows"},
    "question": {"nb": "Forskningsspørsmål", "en": "Research question"},
    "illustrative": {"nb": "Illustrativt eksempel – oppdiktede data", "en": "Illustrative example – invented data"},
    "illustrative-rows": {"nb": "Svaret inneholder illustrative eksempeldata (oppdiktet).",
                          "en": "The answer contains illustrative example data (invented)."},
    "properties": {"nb": "Egenskaper", "en": "Properties"},
    "incoming": {"nb": "Lenker hit", "en": "Links here"},
    "types": {"nb": "Type", "en": "Type"},
    "machine": {"nb": "Maskinlesbart", "en": "Machine-readable"},
    "language": {"nb": "Språk", "en": "Language"},
    "other-language": {"nb": "English", "en": "Norsk"},
    "error": {"nb": "Feil", "en": "Error"},
    "in-graph": {"nb": "i grafen", "en": "in graph"},
    "dump": {"nb": "Hele datasettet (N-Quads)", "en": "The whole dataset (N-Quads)"},
    "void": {"nb": "Datasettbeskrivelse (VoID)", "en": "Dataset description (VoID)"},
    "ontology": {"nb": "Ontologien", "en": "The ontology"},
    "classes": {"nb": "Klasser", "en": "Classes"},
    "count": {"nb": "Antall", "en": "Count"},
    "browse": {"nb": "Bla i katalogen", "en": "Browse the catalogue"},
    "diagram-title": {"nb": "Hvem som tar hvilken rolle i {name}", "en": "Who takes which role in {name}"},
    "search": {"nb": "Søk i navn og beskrivelser", "en": "Search names and descriptions"},
    "filter": {"nb": "Filtrer", "en": "Filter"},
    "found": {"nb": "treff", "en": "found"},
    "pages": {"nb": "Sider", "en": "Pages"},
    "first-rows": {"nb": "Viser de første {n} radene; svaret har flere.",
                   "en": "Showing the first {n} rows; the answer has more."},
    "showing": {"nb": "Viser", "en": "Showing"},
    "of": {"nb": "av", "en": "of"},
    "previous": {"nb": "Forrige side", "en": "Previous page"},
    "next": {"nb": "Neste side", "en": "Next page"},
    "remove-filters": {"nb": "Fjern alle filtre", "en": "Remove all filters"},
    "hierarchy": {"nb": "Hierarki", "en": "Hierarchy"},
    "a-z": {"nb": "A–Å", "en": "A–Z"},
    "chosen": {"nb": "valgt", "en": "chosen"},
    "skip": {"nb": "Hopp til innholdet", "en": "Skip to content"},
    "editor": {"nb": "SPARQL-editor", "en": "SPARQL editor"},
    "editor-intro": {"nb": "Skriv og kjør egne SPARQL-spørringer mot katalogen. Hver fane holder en av de lagrede "
                           "spørringene med standardverdiene sine; alt kjøres på denne serveren.",
                     "en": "Write and run your own SPARQL queries against the catalogue. Each tab holds one of the "
                           "stored queries with its default values; everything runs on this server."},
    "editor-noscript": {"nb": "Editoren trenger JavaScript. Uten det kan du sende spørringer rett til endepunktet:",
                        "en": "The editor needs JavaScript. Without it, send queries straight to the endpoint:"},
    "editor-new-tab": {"nb": "Spørring", "en": "Query"},
}


def w(key: str, lang: str) -> str:
    """The word for ``key`` in ``lang`` (English if that language lacks it)."""
    entry = WORDS[key]
    return entry.get(lang) or entry["en"]
