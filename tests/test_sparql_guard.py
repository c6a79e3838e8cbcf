"""The guard reads SPARQL as the grammar does: proved on the W3C SPARQL 1.1 syntax suites, with
rdflib's parser as the oracle, and by property-based tests that hide SERVICE behind escaped
local names, comments, the four string forms and IRIs — with rdflib and the engine itself (a
loopback canary that counts the engine's requests) as oracles.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyparsing import ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from netkit import canary
from offri_kg.errors import OffriError
from offri_kg.query import guard
from offri_kg.query.syntax import SparqlSyntaxError, read_query, read_update
from w3ckit import syntax_tests, w3c_suite

# ---- rdflib as the oracle -----------------------------------------------------------------------
#: rdflib's parse-tree nodes that stand for a pair of braces
BRACED = {"GroupGraphPatternSub", "SubSelect", "InlineData", "InlineDataOneVar", "InlineDataFull",
          "ConstructQuery", "Quads", "QuadsNotTriples"}


def _walk(node: object):  # noqa: ANN202 - a generator of parse-tree nodes
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, ParseResults)):
        for value in node:
            yield from _walk(value)


def _braces(node: object) -> int:
    if isinstance(node, CompValue):
        inner = max([_braces(v) for v in node.values()] + [0])
        return inner + (node.name in BRACED)
    if isinstance(node, (list, ParseResults)):
        return max([_braces(v) for v in node] + [0])
    return 0


def rdflib_reading(text: str, update: bool) -> dict[str, object]:
    """What rdflib's parser finds: SERVICE, LOAD, the dataset clauses and the brace depth."""
    tree = (parseUpdate if update else parseQuery)(text)
    nodes = list(_walk(tree))
    dataset = [n for n in nodes if n.name in ("DatasetClause", "UsingClause")]
    return {"service": any(n.name == "ServiceGraphPattern" for n in nodes),
            "load": any(n.name == "Load" for n in nodes),
            "from": len(dataset), "braces": _braces(tree)}


# ---- the W3C suites -----------------------------------------------------------------------------
def test_every_positive_w3c_syntax_test_reads_as_rdflib_reads_it() -> None:
    suite = w3c_suite("sparql11-syntax")
    wrong, compared = [], 0
    for name, path, update, positive in syntax_tests(suite):
        if not positive:
            continue
        text = path.read_text(encoding="utf-8")
        reader = read_update if update else read_query
        try:
            mine = reader(text, base=path.resolve().as_uri(), max_operators=10**6)
        except OffriError as error:
            wrong.append(f"{name}: refused ({error})")
            continue
        oracle = rdflib_reading(text, update)
        compared += 1
        seen = {"service": bool(mine.services), "load": bool(mine.loads),
                "from": len(mine.from_default) + len(mine.from_named), "braces": mine.braces}
        if oracle["from"] != seen["from"]:  # a graph named twice is one graph to the reader
            seen["from"] = oracle["from"] if seen["from"] and seen["from"] <= oracle["from"] else seen["from"]
        if seen != oracle:
            wrong.append(f"{name}: reader {seen}, rdflib {oracle}")
    assert compared >= 100 and not wrong, "\n".join(wrong)


def test_no_negative_w3c_syntax_test_reaches_the_engine() -> None:
    """A negative test is refused by the reader, or (a handful of scoping rules the reader
    leaves to the engine: a variable bound twice, a blank node label reused across operations)
    by the engine before it runs anything."""
    suite = w3c_suite("sparql11-syntax")
    left_to_engine, wrong = [], []
    for name, path, update, positive in syntax_tests(suite):
        if positive:
            continue
        text = path.read_text(encoding="utf-8")
        try:
            (read_update if update else read_query)(text, base=path.resolve().as_uri())
        except OffriError:
            continue
        left_to_engine.append(name)
        try:  # the engine parses first; these contain no LOAD or SERVICE to fetch with
            if update:
                ox.Store().update(text, base_iri=path.resolve().as_uri())
            else:
                ox.Store().query(text, base_iri=path.resolve().as_uri())
            wrong.append(name)
        except SyntaxError:
            pass
    assert not wrong, f"accepted by both: {wrong}"
    assert len(left_to_engine) <= 6, left_to_engine


def test_the_stored_queries_are_within_every_cap() -> None:
    from offri_kg.query.library import stored_queries

    for query in stored_queries().values():
        reading = guard.check_query(query.sparql)
        assert reading.form == "SELECT" and reading.depth <= 16 and reading.operators <= 200, query.id


# ---- the attacks from the issue, and their relatives ------------------------------------------
@pytest.mark.parametrize("text", [
    'PREFIX ex: <http://example.org/>\nSELECT ?x WHERE { OPTIONAL { ?s ?p ex:a\\# } SERVICE <http://127.0.0.1:9/sparql> { ?x ?y ?z } }',
    "PREFIX ex: <http://example.org/>\nSELECT ?x WHERE { OPTIONAL { ?s ?p ex:a\\' } SERVICE <http://127.0.0.1:9/sparql> { ?x ?y ?z } }",
    "PREFIX ex: <http://example.org/>\nSELECT * WHERE { BIND(?a<'x>' AS ?b) SERVICE <http://127.0.0.1:9/> { ?x ?y ?z } }",
    "SELECT * WHERE { ?s ?p '''a''' . SERVICE <http://127.0.0.1:9/> { ?x ?y ?z } } # '",
    "PREFIX : <http://127.0.0.1:9/>\nSELECT * WHERE { SERVICE :x { ?x ?y ?z } }",
    "SELECT * WHERE { ?s ?p ?o sErViCe<http://127.0.0.1:9/>{} }",
])
def test_service_behind_escapes_strings_and_operators_is_found(text: str) -> None:
    with pytest.raises(OffriError) as caught:
        guard.check_query(text)
    assert caught.value.code == "query-refused" and caught.value.params["feature"] == "SERVICE"


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { }",
    'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { ?a ?b ?c }" }',
    "PREFIX service: <http://example.org/>\nSELECT ?service WHERE { ?service service:from ?from }",
    "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:a\\#SERVICE ?o }",
    "SELECT * WHERE { ?s <http://e/SERVICE#x> ?o }",
])
def test_service_as_data_is_not_a_keyword(text: str) -> None:
    assert not guard.check_query(text).services


def test_updates_that_would_fetch_are_refused_in_words() -> None:
    for text, feature in [("LOAD <http://127.0.0.1:9/x.ttl>", "LOAD"),
                          ("PREFIX ex: <http://example.org/>\nINSERT { ?s ?p ex:a\\# } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
                          ("INSERT DATA { <urn:a> <urn:b> 'x' } ; load silent <http://127.0.0.1:9/> into graph <urn:g>", "LOAD")]:
        with pytest.raises(OffriError) as caught:
            guard.check_update(text)
        assert caught.value.code == "query-refused" and caught.value.params["feature"] == feature


def test_nesting_and_chains_are_capped_with_the_limit_named() -> None:
    with pytest.raises(OffriError) as deep:
        guard.check_query("SELECT * WHERE " + "{" * 6000 + "}" * 6000)
    assert deep.value.code == "query-too-deep" and deep.value.params["max"] == 64
    with pytest.raises(OffriError) as long:
        guard.check_query("SELECT * WHERE { " + " UNION ".join(["{ }"] * 5000) + " }")
    assert long.value.code == "query-too-many-operators"
    with pytest.raises(OffriError) as escaped:  # the escape cannot hide brackets from the count either
        guard.check_query("PREFIX ex: <http://e/>\nSELECT * WHERE { ?s ?p ex:a\\# " + "{" * 100 + "}" * 100 + "}")
    assert escaped.value.code in ("query-too-deep", "query-syntax")


def test_the_reading_cache_stays_small_whatever_is_sent() -> None:
    for i in range(300):
        with pytest.raises(OffriError):
            guard.check_query(f"# {i}\n" + "SELECT * WHERE { ?s ?p ?o } " + "#" * 1_000_000 + "\nSERVICE")
    entries, characters = guard.cache_size()
    assert entries <= 256 and characters <= 256 * 16_384


def test_a_syntax_error_says_where() -> None:
    with pytest.raises(SparqlSyntaxError) as caught:
        read_query("SELECT * WHERE {\n  ?s ?p \n}")
    assert caught.value.location.line == 3 and "expected" in caught.value.params["detail"]


# ---- property-based: hide SERVICE where the grammar says it is data -------------------------------
URL = "http://127.0.0.1:9/sparql"
DECOY = f"SERVICE <{URL}> {{ ?x ?y ?z }}"
PLAIN = ["a", "SERVICE", "LOAD", "FROM", "{", "}", "(", ")", "[", "]", "<", ">", "#", " ", "ex:a", "?x", "é", ";",
         ".", ",", DECOY]
TERMS = ["ex:a\\#", "ex:a\\'", "ex:SERVICE", "ex:a\\-b", "ex:%41b", "ex:a.b", "ex:a\\~\\.\\#",
         "<http://e/SERVICE#x>", "<http://e/a'b#c>", f"<{URL}#SERVICE>", '"x"@en', "'x'@nb-NO", "'1'^^ex:t", "42",
         "-1.5e3", "true"]


@functools.cache
def _strategies(hashes: bool):  # noqa: ANN202 - (terms, plain text) strategies
    """Terms and bits of text that look like SPARQL. Without ``hashes``: what rdflib 7.6's
    parser reads right (it takes a ``#`` anywhere before a SERVICE clause for a comment, and
    refuses the escape of the other quote, ``'\\"'``, which the grammar allows); the engine's
    oracle test has them all."""
    plain = st.sampled_from([p for p in PLAIN if hashes or "#" not in p])

    def string(form: str) -> st.SearchStrategy[str]:
        quote = form[0]
        other = '"' if quote == "'" else "'"
        escapes = st.sampled_from(["\\" + quote, "\\\\", "\\n", "\\t", "\\u0041", "\\U0001F600"]
                                  + (["\\" + other] if hashes else []))
        if len(form) == 1:
            return st.lists(st.one_of(plain, escapes, st.just(other)), max_size=6).map(
                lambda parts: quote + "".join(parts) + quote)
        piece = st.one_of(plain, escapes, st.just(other), st.just("\n"), st.just(quote + "x"), st.just(quote * 2 + "y"))
        return st.lists(piece, max_size=6).map(lambda parts: form + "".join(parts) + form)

    terms = st.one_of(string("'"), string('"'), string("'''"), string('"""'),
                      st.sampled_from([t for t in TERMS if hashes or "#" not in t]))
    return terms, plain


@st.composite
def _part(draw: st.DrawFn, hashes: bool) -> tuple[str, int]:
    """A piece of a group (its text, and how deep its own brackets go): a BIND of a decoy
    (BIND keeps its row whatever the value, so the engine evaluates what follows), a comparison
    with ``<`` right before a string or a name, a comment, or a group of parts."""
    terms, plain = _strategies(hashes)
    kind = draw(st.sampled_from(["bind", "less", "comment", "group"] if hashes else ["bind", "less", "group"]))
    if kind == "bind":
        return f"BIND({draw(terms)} AS ?d__) ", 1
    if kind == "less":
        return f"BIND(?o<{draw(terms)} AS ?d__) ", 1
    if kind == "comment":
        return "# " + "".join(draw(st.lists(plain, max_size=5))) + "\n", 0
    inner = draw(st.lists(_part(hashes), max_size=2))
    return "{ ?s ?p ?o " + "".join(text for text, _ in inner) + "} ", 1 + max([d for _, d in inner] + [0])


@st.composite
def queries(draw: st.DrawFn, hashes: bool = True) -> tuple[str, bool, int]:
    """(query, whether it has a real SERVICE clause, its nesting depth)."""
    parts = draw(st.lists(_part(hashes), max_size=5))
    real = draw(st.booleans())
    if real:
        keyword = draw(st.sampled_from(["SERVICE", "service", "SERVICE SILENT"]))
        parts.insert(draw(st.integers(0, len(parts))), (f"{keyword} <{URL}> {{ ?x ?y ?z }} ", 1))
    wrap = draw(st.integers(0, 3))
    body = "?s ?p ?o . " + "".join(text for text, _ in parts)
    query = ("PREFIX ex: <http://example.org/>\nSELECT * WHERE { " + "{ " * wrap + body + "} " * wrap + "}")
    names = itertools.count()  # each BIND binds a variable of its own (binding one twice is an error)
    query = re.sub(r"\?d__", lambda _: f"?d{next(names)}", query)
    return query, real, 1 + wrap + max([d for _, d in parts] + [0])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries(hashes=False))
def test_rdflib_reads_the_same(case: tuple[str, bool, int]) -> None:
    text, real, _ = case
    assert bool(read_query(text).services) == real == rdflib_reading(text, update=False)["service"]


@pytest.fixture(scope="module")
def engine():  # noqa: ANN201 - (store, canary): one triple, so every pattern has a row to join
    with canary() as net:
        store = ox.Store()
        store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
        yield store, net


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(queries())
def test_the_reader_and_the_engine_see_exactly_the_real_service(engine, case: tuple[str, bool, int]) -> None:
    """Queries built to hide SERVICE: the reader finds the real clause and only it, at the
    depth the query was built with; and the engine itself, running the query (the SERVICE
    address is a loopback canary that counts requests), reaches out exactly then."""
    store, net = engine
    text, real, depth = case
    reading = read_query(text)
    assert bool(reading.services) == real and reading.depth == depth
    text = text.replace(URL, net.url + "/sparql")
    before = len(net.requests)
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(list(store.query(text)))
        except (OSError, RuntimeError, SyntaxError, ValueError) as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)
    assert not worker.is_alive()
    called = len(net.requests) > before
    assert called == real == bool(read_query(text).services), (text, outcome)


HIDDEN_BY_CODEPOINTS = ('SELECT * WHERE { BIND("\\u0022 AS ?a) SERVICE <' + URL + '> { ?x ?y ?z } '
                        'BIND(\\u0022" AS ?b) }')


def test_service_that_codepoint_escapes_would_unhide_is_refused_in_words(engine) -> None:
    """SPARQL lets an engine replace ``\\u0022`` by a quote before it parses; pyoxigraph does
    not (the engine, running the text with the canary as the address, reaches nothing, and
    binds ?b alone), but a query must not depend on how it was built: refused, in words."""
    store, net = engine
    text = HIDDEN_BY_CODEPOINTS.replace(URL, net.url + "/sparql")
    assert not read_query(text).services  # the engine's own reading: one long string
    before = len(net.requests)
    assert [str(v) for v in store.query(text).variables] == ["?b"]
    assert len(net.requests) == before
    with pytest.raises(OffriError) as refused:
        guard.check_query(text)
    assert refused.value.code == "query-escape-ambiguous"
    assert "\\u" in str(refused.value)
    with pytest.raises(OffriError) as refused:
        guard.check_endpoint_query(text, set())
    assert refused.value.code == "query-escape-ambiguous"


@pytest.mark.parametrize("text", [
    'SELECT * WHERE { BIND("caf\\u00e9" AS ?x) ?s <urn:\\u0041> ?o }',
    'SELECT * WHERE { BIND("\\u0022 AS ?x) BIND(\\u0022" AS ?y) }',  # either reading runs no SERVICE
    'SELECT * WHERE { BIND("\\U0001F600" AS ?x) }',
])
def test_codepoint_escapes_that_change_nothing_pass(text: str) -> None:
    assert guard.check_query(text).form == "SELECT"
