"""User-facing text in Norwegian bokmål (nb) and English (en).

Library code raises ``OffriError`` with a code; this table is the only place the words live, so
both languages stay complete (a test checks every code has both).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from offri_kg.errors import OffriError

LANGS = ("nb", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # --- input ------------------------------------------------------------------------
    "file-missing": {
        "en": "no such file: {path}. Check the path and try again.",
        "nb": "finner ikke filen: {path}. Sjekk stien og prøv igjen.",
    },
    "is-directory": {
        "en": "{path} is a directory; give the data files in it instead, e.g. {path}/*.ttl.",
        "nb": "{path} er en mappe; oppgi datafilene i den i stedet, f.eks. {path}/*.ttl.",
    },
    "unreadable": {
        "en": "cannot read {path}: {reason}.",
        "nb": "kan ikke lese {path}: {reason}.",
    },
    "unknown-extension": {
        "en": "{path}: unknown file type '{ext}'. Use .ttl, .trig, .nt, .nq, .jsonld or .rdf/.owl, or give --input-format.",
        "nb": "{path}: ukjent filtype «{ext}». Bruk .ttl, .trig, .nt, .nq, .jsonld eller .rdf/.owl, eller oppgi --input-format.",
    },
    "unknown-format": {
        "en": "unknown format '{format}'. Choose one of: {choices}.",
        "nb": "ukjent format «{format}». Velg ett av: {choices}.",
    },
    "empty-file": {
        "en": "{path} is empty: there is no data to validate.",
        "nb": "{path} er tom: det er ingen data å validere.",
    },
    "binary-file": {
        "en": "{path} looks like a binary file, not RDF text. Export the data as Turtle (.ttl) and try again.",
        "nb": "{path} ser ut som en binærfil, ikke RDF-tekst. Eksporter dataene som Turtle (.ttl) og prøv igjen.",
    },
    "bad-encoding": {
        "en": "{path} is not UTF-8 text (byte {offset}). Save the file as UTF-8 and try again.",
        "nb": "{path} er ikke UTF-8-tekst (byte {offset}). Lagre filen som UTF-8 og prøv igjen.",
    },
    "syntax-error": {
        "en": "syntax error in {format}: {detail}",
        "nb": "syntaksfeil i {format}: {detail}",
    },
    "doctype-refused": {
        "en": "RDF/XML with <!DOCTYPE> or <!ENTITY> is refused: entities can make a small file expand without end. Remove the DOCTYPE and write the IRIs out in full.",
        "nb": "RDF/XML med <!DOCTYPE> eller <!ENTITY> avvises: entiteter kan få en liten fil til å vokse uten ende. Fjern DOCTYPE og skriv IRI-ene fullt ut.",
    },
    "remote-context-refused": {
        "en": "the JSON-LD @context '{context}' would be fetched from outside; offri never reads the network or other files because of input. Put the context inline in the document.",
        "nb": "JSON-LD-konteksten «{context}» måtte ha vært hentet utenfra; offri henter aldri noe fra nettet eller andre filer på grunn av input. Legg konteksten inn i dokumentet.",
    },
    "jsonld-invalid": {
        "en": "the JSON is not valid: {detail}",
        "nb": "JSON-en er ikke gyldig: {detail}",
    },
    "no-input": {
        "en": "give at least one data file.",
        "nb": "oppgi minst én datafil.",
    },
    "bad-lang": {
        "en": "unknown language '{value}'; use nb or en.",
        "nb": "ukjent språk «{value}»; bruk nb eller en.",
    },
    # --- report -------------------------------------------------------------------------
    "report-conforms": {
        "en": "The data conforms: no violations.",
        "nb": "Dataene er gyldige: ingen brudd.",
    },
    "report-summary": {
        "en": "{violations} violation(s), {warnings} warning(s), {infos} note(s) in {nodes} resource(s).",
        "nb": "{violations} brudd, {warnings} advarsel(er), {infos} merknad(er) i {nodes} ressurs(er).",
    },
    "label-severity-Violation": {"en": "Violation", "nb": "Brudd"},
    "label-severity-Warning": {"en": "Warning", "nb": "Advarsel"},
    "label-severity-Info": {"en": "Info", "nb": "Merknad"},
    "label-path": {"en": "path", "nb": "sti"},
    "label-value": {"en": "value", "nb": "verdi"},
    "label-rule": {"en": "rule", "nb": "regel"},
    "label-focus": {"en": "resource", "nb": "ressurs"},
    # --- build ----------------------------------------------------------------------------
    "build-title": {
        "en": "offri knowledge graph built from the shipped data",
        "nb": "offri-kunnskapsgrafen bygd fra de medfølgende dataene",
    },
    "build-graphs": {"en": "named graph", "nb": "navngitt graf"},
    "build-triples": {"en": "triples", "nb": "tripler"},
    "build-class": {"en": "class", "nb": "klasse"},
    "build-instances": {"en": "instances", "nb": "forekomster"},
    "build-illustrative": {
        "en": "{n} resources are illustrative example data (offri:illustrative true), not facts about real organisations.",
        "nb": "{n} ressurser er illustrerende eksempeldata (offri:illustrative true), ikke fakta om virkelige organisasjoner.",
    },
    "internal-error": {
        "en": "internal error ({kind}): {detail}. This is a bug in offri; please report it.",
        "nb": "intern feil ({kind}): {detail}. Dette er en feil i offri; meld den gjerne.",
    },
}


def default_lang() -> str:
    """The language from ``OFFRI_LANG`` or ``LANG`` (nb when it starts with nb/no/nn), else en."""
    value = os.environ.get("OFFRI_LANG") or os.environ.get("LANG", "")
    return "nb" if value[:2].lower() in ("nb", "no", "nn") else "en"


def t(code: str, lang: str, **params: object) -> str:
    """The text for ``code`` in ``lang``, with ``params`` filled in."""
    entry = MESSAGES[code]
    return entry.get(lang, entry["en"]).format(**params)


def render_error(error: "OffriError", lang: str) -> str:
    """One line: where, then what and how to fix it."""
    text = t(error.code, lang, **error.params)
    where = str(error.location)
    return f"{where}: {text}" if where else text
