"""The namespaces offri reads and writes, and the prefixes it prints and declares — one place.

Every IRI a module builds starts from a constant here, so a namespace is spelled once; the
prefixes a query declares come from ``sparql_prefixes``, so a stored query, a page's query and
the editor's prefix list cannot disagree.
"""

from __future__ import annotations

#: offri's own namespaces (https://w3id.org/offri/…)
BASE = "https://w3id.org/offri/"
OFFRI = BASE + "ns#"
OFFRI_SHAPES = BASE + "shapes#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
VOCAB = BASE + "vocab/"

#: the W3C and community vocabularies the model and its metadata use
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
ADMS = "http://www.w3.org/ns/adms#"
TIME = "http://www.w3.org/2006/time#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"
OWL = "http://www.w3.org/2002/07/owl#"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
#: the namespace of ``its:dir`` (a literal's base direction in SPARQL 1.2 results)
ITS = "http://www.w3.org/2005/11/its"

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = RDF + "langString"

#: The prefixes offri prints (``offri:Goal`` for the full IRI), offers in the query editor and
#: accepts in a parameter value (``id:municipality/arendal``). OWL and VoID are left out on
#: purpose: offri's answers print those terms in full, as they always have.
PREFIXES: dict[str, str] = {
    "offri": OFFRI,
    "offrish": OFFRI_SHAPES,
    "id": ID,
    "graph": GRAPH,
    "vocab": VOCAB,
    "org": ORG,
    "prov": PROV,
    "dcat": DCAT,
    "dct": DCT,
    "skos": SKOS,
    "foaf": FOAF,
    "vcard": VCARD,
    "adms": ADMS,
    "time": TIME,
    "xsd": XSD,
    "rdf": RDF,
    "rdfs": RDFS,
    "sh": SH,
}
#: Every namespace with a prefix, for ``sparql_prefixes``: the printed ones and the rest.
_DECLARABLE = {**PREFIXES, "owl": OWL, "void": VOID}


def sparql_prefixes(*names: str, separator: str = " ") -> str:
    """SPARQL ``PREFIX`` declarations for ``names`` (``"offri", "skos"``), in the given order,
    each followed by ``separator``: a page's query declares what it uses from the one table."""
    return "".join(f"PREFIX {name}: <{_DECLARABLE[name]}>{separator}" for name in names)
