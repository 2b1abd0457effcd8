"""The W3C SPARQL 1.1 manifests (``data/``) read as test cases, with nothing hard-coded.

``protocol_cases()`` gives every ``mf:ProtocolTest`` with its HTTP requests and expected
responses; ``result_format_cases()`` every JSON, CSV and TSV result-format test;
``service_description_cases()`` the three Service Description tests. ``update_*`` protocol
tests need a writable store: ``applicable`` is False for them, and the runner checks
instead that the endpoint refuses their requests with a 4xx.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

DATA = Path(__file__).with_name("data")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
# Where the result-format tests' data files live as named graphs of the test release.
SUITE_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"


@dataclass(frozen=True)
class ProtocolRequest:
    method: str
    path: str  # relative to the endpoint: "?query=..." (the manifest's "/sparql/" removed)
    headers: dict[str, str]
    body: bytes | None
    statuses: tuple[str, ...]  # "2xx", "3xx", "4xx"
    expected_format: str | None  # "boolean", "tabular", "RDF"
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolCase:
    name: str
    title: str
    requests: tuple[ProtocolRequest, ...]
    graphs: dict[str, Path]  # graph IRI -> data file to load before the test

    @property
    def applicable(self) -> bool:
        """Update tests need a writable store; this endpoint is read-only."""
        return not self.name.startswith("update_")


@dataclass(frozen=True)
class ResultFormatCase:
    name: str
    kind: str  # "json", "csv" or "tsv"
    query: Path
    data: Path
    result: Path

    @property
    def graph(self) -> str:
        """The named graph holding this test's data in the test release."""
        return graph_iri(self.data)


def graph_iri(path: Path) -> str:
    return SUITE_BASE + path.relative_to(DATA).as_posix()


def _load(directory: str) -> tuple[Graph, list[URIRef]]:
    manifest = DATA / directory / "manifest.ttl"
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    root = URIRef(manifest.as_uri())
    entries = list(Collection(graph, graph.value(root, MF.entries)))
    return graph, entries


def _local(uri: URIRef) -> str:
    return str(uri).rsplit("#", 1)[-1]


def _file(uri) -> Path:
    return Path(urlsplit(str(uri)).path)


def protocol_cases() -> list[ProtocolCase]:
    graph, entries = _load("protocol")
    cases = []
    for entry in entries:
        action = graph.value(entry, MF.action)
        requests = []
        for request in Collection(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(request, HT.headers)
            if header_list is not None:
                for header in Collection(graph, header_list):
                    headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
            body = None
            content = graph.value(request, HT.body)
            if content is not None:
                encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(content, CNT.chars)).encode(encoding)
            response = graph.value(request, HT.resp)
            statuses = tuple(
                sorted(_local(s).removeprefix("StatusCode") for s in graph.objects(response, MF.expectedStatus))
            )
            fmt = graph.value(response, MF.expectedFormat)
            boolean = graph.value(response, MF.expectedBoolean)
            requests.append(
                ProtocolRequest(
                    method=str(graph.value(request, HT.methodName)),
                    path=_endpoint_relative(str(graph.value(request, HT.absolutePath))),
                    headers=headers,
                    body=body,
                    statuses=statuses,
                    expected_format=None if fmt is None else str(fmt),
                    expected_boolean=None if boolean is None else bool(boolean.toPython()),
                )
            )
        graphs = {
            str(graph.value(data, RDFS.label)): _file(graph.value(data, UT.graph))
            for data in graph.objects(entry, UT.graphData)
        }
        cases.append(ProtocolCase(_local(entry), str(graph.value(entry, MF.name)), tuple(requests), graphs))
    return cases


def _endpoint_relative(absolute_path: str) -> str:
    """The manifest's ``/sparql/?...`` as ``?...`` for any endpoint.

    ``query_multiple_dataset`` percent-encodes the ``&`` and ``=`` between its two
    ``named-graph-uri`` values (a known manifest quirk); they are two parameters, so the
    query string is re-encoded with each one sent separately.
    """
    assert absolute_path.startswith("/sparql/"), absolute_path
    query = urlsplit(absolute_path).query
    pairs = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name.endswith("-graph-uri") and f"&{name}=" in value:
            for part in value.split(f"&{name}="):
                pairs.append((name, part))
        else:
            pairs.append((name, value))
    return "?" + urlencode(pairs) if pairs else ""


def result_format_cases() -> list[ResultFormatCase]:
    cases = []
    for directory in ("json-res", "csv-tsv-res"):
        graph, entries = _load(directory)
        for entry in entries:
            action = graph.value(entry, MF.action)
            result = _file(graph.value(entry, MF.result))
            kind = {".srj": "json", ".csv": "csv", ".tsv": "tsv"}[result.suffix]
            cases.append(
                ResultFormatCase(
                    _local(entry),
                    kind,
                    _file(graph.value(action, QT.query)),
                    _file(graph.value(action, QT.data)),
                    result,
                )
            )
    return cases


def service_description_cases() -> list[str]:
    graph, entries = _load("service-description")
    assert all((e, RDF.type, MF.ServiceDescriptionTest) in graph for e in entries)
    return [_local(e) for e in entries]


def all_graphs() -> dict[str, Path]:
    """Every data file the suites use, by the graph it is loaded into."""
    graphs: dict[str, Path] = {}
    for case in protocol_cases():
        graphs.update(case.graphs)
    for case in result_format_cases():
        graphs[case.graph] = case.data
    return graphs
