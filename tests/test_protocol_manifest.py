"""The W3C SPARQL 1.1 Protocol test manifest, run as data against offri serve.

Every test of ``tests/w3c/sparql11-protocol/manifest.ttl`` (a copy of the W3C suite) runs
twice: on a read-only server, where query tests must pass and updates the manifest expects to
succeed must be refused (403); and on a server started with updates allowed, whose requests
carry the configured credentials, where every test must pass as the manifest says.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib.collection import Collection

from offri_kg.ingest.read import read_source
from offri_kg.store.embedded import EmbeddedStore
from storekit import empty_store
from webkit import client

HERE = Path(__file__).parent / "w3c" / "sparql11-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
USER, PASSWORD = "steward", "correct horse battery staple"


@dataclass
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    statuses: set[str]  # e.g. {"2xx", "3xx"}
    boolean: bool | None
    fmt: str | None

    @property
    def is_update(self) -> bool:
        kind = self.headers.get("content-type", "")
        return "sparql-update" in kind or (self.body or "").startswith("update=") or "update=" in self.path


@dataclass
class ProtocolTest:
    name: str
    title: str
    graphs: list[tuple[Path, str]]
    steps: list[Step]


def load_manifest() -> list[ProtocolTest]:
    graph = rdflib.Graph().parse(HERE / "manifest.ttl", format="turtle", publicID=(HERE / "manifest.ttl").as_uri())
    manifest = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    tests = []
    for test in Collection(graph, graph.value(manifest, MF.entries)):
        graphs = [(Path(str(graph.value(d, UT.graph)).removeprefix("file://")), str(graph.value(d, rdflib.RDFS.label)))
                  for d in graph.objects(test, UT.graphData)]
        action = graph.value(test, MF.action)
        steps = []
        for request in Collection(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(request, HT.headers)
            if header_list is not None:
                for header in Collection(graph, header_list):
                    headers[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
            body = graph.value(request, HT.body)
            response = graph.value(request, HT.resp)
            statuses = {str(s).rsplit("StatusCode", 1)[-1] for s in graph.objects(response, MF.expectedStatus)}
            boolean = graph.value(response, MF.expectedBoolean)
            fmt = graph.value(response, MF.expectedFormat)
            steps.append(Step(method=str(graph.value(request, HT.methodName)),
                              path=str(graph.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
                              headers=headers, body=None if body is None else str(graph.value(body, CNT.chars)),
                              statuses=statuses, boolean=None if boolean is None else bool(boolean.toPython()),
                              fmt=None if fmt is None else str(fmt)))
        tests.append(ProtocolTest(name=str(test).rsplit("#", 1)[-1], title=str(graph.value(test, MF.name)),
                                  graphs=graphs, steps=steps))
    return tests


TESTS = load_manifest()


def make_store(path: Path, graphs: list[tuple[Path, str]]) -> Path:
    store = EmbeddedStore(empty_store(path))
    for file, iri in graphs:
        store.load([read_source(file)], graph=iri)
    store.close()
    return path


def check(step: Step, answer) -> None:  # noqa: ANN001
    status = f"{answer.status_code // 100}xx"
    assert status in step.statuses, f"{step.method} {step.path}: {answer.status_code} {answer.text[:300]}"
    if step.fmt == "boolean":
        assert answer.headers["content-type"].split(";")[0] in (
            "application/sparql-results+json", "application/sparql-results+xml")
        value = answer.json()["boolean"] if "json" in answer.headers["content-type"] else "<boolean>true" in answer.text
        if step.boolean is not None:
            assert value is step.boolean
    elif step.fmt == "tabular":
        assert answer.headers["content-type"].split(";")[0] in (
            "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values")
    elif step.fmt == "RDF":
        media = answer.headers["content-type"].split(";")[0]
        assert media in ("text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json")


def send(web, step: Step, auth: bool):  # noqa: ANN001, ANN201
    headers = dict(step.headers)
    if auth:
        headers["authorization"] = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    content = None
    if step.body is not None:
        charset = "utf-16" if "utf-16" in headers.get("content-type", "").lower() else "utf-8"
        content = step.body.encode(charset)
    return web.request(step.method, step.path, headers=headers, content=content)


def test_manifest_has_every_test() -> None:
    assert len(TESTS) == 34 and sum(1 for t in TESTS for s in t.steps if s.is_update) == 13


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory):
    every_graph = {g for t in TESTS for g in t.graphs}
    path = make_store(tmp_path_factory.mktemp("protocol") / "store", sorted(every_graph))
    with client(path, workers=1) as web:
        yield web


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_read_only_server(read_only, test: ProtocolTest) -> None:
    for step in test.steps:
        answer = send(read_only, step, auth=False)
        if step.is_update and "2xx" in step.statuses:
            assert answer.status_code == 403, answer.text  # refused, and nothing after it can hold
            return
        check(step, answer)


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_server_with_updates(tmp_path: Path, test: ProtocolTest) -> None:
    path = make_store(tmp_path / "store", test.graphs)
    with client(path, workers=1, allow_update=True, user=USER, password=PASSWORD) as web:
        for step in test.steps:
            check(step, send(web, step, auth=True))


def test_update_needs_the_right_credentials(tmp_path: Path) -> None:
    path = make_store(tmp_path / "store", [])
    with client(path, workers=1, allow_update=True, user=USER, password=PASSWORD) as web:
        anonymous = web.post("/sparql", content="CLEAR ALL", headers={"content-type": "application/sparql-update"})
        wrong = web.post("/sparql", content="CLEAR ALL", headers={
            "content-type": "application/sparql-update",
            "authorization": "Basic " + base64.b64encode(f"{USER}:guess".encode()).decode()})
        assert anonymous.status_code == 401 and "WWW-Authenticate" in anonymous.headers
        assert wrong.status_code == 401
        assert web.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
