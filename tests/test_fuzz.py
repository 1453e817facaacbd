"""Property-based fuzzing of every reader and of ``kg sparql`` (issue 16, item 11).

Each case feeds generated or mutated input to the public API and asserts one
of two outcomes: a clean load, or a clean error, that is a
:class:`kg.errors.KgError` whose message is one line (the CLI: exit 1 and
one ``Error:`` line), after which the store's content hash is unchanged.
Anything else (another exception, a traceback, a crash) fails the case.

The default run tries a few hundred cases in all; ``-m slow`` runs the same
properties with thousands (the ``slow`` parameter of each test), and
``KG_FUZZ_EXAMPLES=N`` overrides the count of the default run.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from kg.errors import KgError

DATA = Path(__file__).resolve().parent / "data"

_SUPPRESS = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large,
             HealthCheck.filter_too_much]
#: Examples per property: the default run (a few hundred cases over all tests) and -m slow.
EXAMPLES = {"ci": int(os.environ.get("KG_FUZZ_EXAMPLES", 0)) or 25, "slow": 1500}

PROFILE = [pytest.param("ci", id="ci"), pytest.param("slow", id="slow", marks=pytest.mark.slow)]


def fuzz(profile: str, strategy, check, scale: float = 1.0) -> None:
    """Run ``check`` on values drawn from ``strategy`` with the profile's number of examples."""
    from hypothesis import given

    @settings(max_examples=max(5, int(EXAMPLES[profile] * scale)), deadline=None, derandomize=profile == "ci",
              suppress_health_check=_SUPPRESS, database=None)
    @given(strategy)
    def run(value):
        check(value)

    run()


def content_hash(store) -> str:
    """sha256 of the store's quads, sorted (the store is small)."""
    return hashlib.sha256("\n".join(sorted(str(q) for q in store.raw)).encode()).hexdigest()


def ingest_clean(store, path: Path, names=(), **options) -> bool:
    """Ingest ``path``; True for a clean load, False for a clean one-line error (store unchanged)."""
    from kg.ingest import ingest

    before = content_hash(store)
    try:
        ingest(store, [path], options=options)
    except KgError as exc:
        message = str(exc).strip()
        assert message and "\n" not in message, f"multi-line error: {message!r}"
        assert any(n in message for n in (path.name, *names)), f"the error does not name the file: {message!r}"
        assert content_hash(store) == before, "a failed ingest changed the store"
        return False
    return True


@pytest.fixture
def store():
    """A small in-memory store holding the ACME example."""
    from kg.stores import open_store

    s = open_store("memory:", read_only=False)
    s.raw.load(path=str(DATA / "acme.ttl"), format=__import__("pyoxigraph").RdfFormat.TURTLE,
               to_graph=__import__("pyoxigraph").NamedNode("https://kg.example.org/graph/source/acme-seed"))
    return s


# -- mutations ------------------------------------------------------------------------

#: Fragments that matter to some parser: delimiters, escapes, numbers, dates, RDF 1.2, odd Unicode.
TOKENS = ["<", ">", '"', "'", '"""', "\\", "\\u", "\\ud800", "\\U0010FFFF", "@", "@en--ltr", "^^", "^^xsd:decimal",
          "[", "]", "(", ")", "{", "}", "<<(", ")>>", "<<", ">>", ".", ";", ",", "#", ":", "_:b", "a", "@prefix",
          "\n", "\r", "\t", " ", "\x00", "\ufeff", "\u202e", "é", "𝔘", "1e400", "-5", "1,5", "99999-01-01",
          "2019-13-45", "3201", "dollars", "NaN", "&a;", "<!ENTITY a 'x'>", "<!DOCTYPE x>", "=cmd|' /c calc'!A1",
          "0" * 40, "x" * 300, "[" * 50, "{" * 50]


@st.composite
def mutated(draw, seed: str):
    """``seed`` with a few random edits: insert, delete or replace a span with a token or random text."""
    text = seed
    for _ in range(draw(st.integers(0, 4))):
        pos = draw(st.integers(0, len(text)))
        end = min(len(text), pos + draw(st.integers(0, 12)))
        piece = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        if op == "insert":
            text = text[:pos] + piece + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[end:]
        else:
            text = text[:pos] + piece + text[end:]
    return text


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


# -- RDF in each format -----------------------------------------------------------------

_DEAL = """@prefix kg: <https://kg.example.org/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://kg.example.org/id/company/fuzz-a> a kg:Company ; rdfs:label "Fuzz A" .
<https://kg.example.org/id/company/fuzz-b> a kg:Company ; rdfs:label "Fuzz B"@en .
<https://kg.example.org/id/deal/fuzz> a kg:Investment ; kg:investor <https://kg.example.org/id/company/fuzz-a> ;
    kg:investee <https://kg.example.org/id/company/fuzz-b> ; kg:date "2019-05-30"^^xsd:date ;
    kg:status kg:Completed ; kg:amount <https://kg.example.org/id/deal/fuzz/amount> ;
    kg:evidence <https://kg.example.org/id/evidence/fuzz/1> .
<https://kg.example.org/id/evidence/fuzz/1> a kg:Evidence ; kg:quote "Fuzz A invests in Fuzz B" ;
    kg:source <https://kg.example.org/id/source/fuzz> .
<https://kg.example.org/id/source/fuzz> a kg:Source .
<https://kg.example.org/id/deal/fuzz/amount> a kg:MonetaryAmount ; kg:value "12.5"^^xsd:decimal ; kg:currency "USD" .
"""


def _seed(fmt: str) -> str:
    import pyoxigraph as ox

    quads = list(ox.parse(_DEAL, format=ox.RdfFormat.TURTLE))
    if fmt in ("nq", "trig"):
        g = ox.NamedNode("https://kg.example.org/graph/source/fuzz-quads")
        quads = [ox.Quad(q.subject, q.predicate, q.object, g) for q in quads]
    formats = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
               "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "rdf": ox.RdfFormat.RDF_XML}
    if fmt in ("ttl", "nt", "rdf", "jsonld"):
        return ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                            format=formats[fmt]).decode()
    return ox.serialize(quads, format=formats[fmt]).decode()


@pytest.mark.parametrize("profile", PROFILE)
@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "trig", "jsonld", "rdf"])
def test_rdf_reader_loads_or_fails_cleanly(tmp_path, store, fmt, profile):
    seed = _seed(fmt)
    path = tmp_path / f"fuzz.{fmt}"
    assert ingest_clean(store, write(path, seed)), "the unmutated seed must load"
    fuzz(profile, mutated(seed), lambda text: ingest_clean(store, write(path, text)))


@pytest.mark.parametrize("profile", PROFILE)
@pytest.mark.parametrize("fmt", ["ttl", "csv"])
def test_on_disk_streamed_ingest_loads_or_fails_cleanly(tmp_path, fmt, profile):
    """The on-disk path (a working copy, bulk-loaded, swapped in) under the same property."""
    from kg.stores import open_store

    seed = _seed("ttl") if fmt == "ttl" else (DATA / "investments-small.csv").read_text()
    path = tmp_path / f"disk.{fmt}"
    with open_store(str(tmp_path / "store"), read_only=False) as disk:
        fuzz(profile, mutated(seed), lambda text: ingest_clean(disk, write(path, text),
                                                               rejects=str(tmp_path / "r.csv")), scale=0.3)
    assert not list(tmp_path.glob("store.import-*"))


_LITERALS = st.one_of(
    st.from_regex(r"-?[0-9]{0,25}(\.[0-9]{0,25})?([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.from_regex(r"-?[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}", fullmatch=True),
    st.text(max_size=12),
)


@pytest.mark.parametrize("profile", PROFILE)
def test_rdf_values_are_strict_and_never_poison_the_total(tmp_path, store, profile):
    path = tmp_path / "values.ttl"
    total = """PREFIX kg: <https://kg.example.org/ontology#>
        SELECT (SUM(?v) AS ?t) WHERE { GRAPH ?g { ?a a kg:MonetaryAmount ; kg:value ?v } }"""

    def check(values):
        value, date, currency, dtype = values
        text = (_DEAL.replace('"12.5"^^xsd:decimal', f'"{_esc(value)}"^^xsd:{dtype}')
                .replace('"2019-05-30"^^xsd:date', f'"{_esc(date)}"^^xsd:date').replace('"USD"', f'"{_esc(currency)}"'))
        ingest_clean(store, write(path, text))
        [row] = list(store.query(total))
        assert row["t"] is not None, f"an amount poisoned the total: {value!r}"

    fuzz(profile, st.tuples(_LITERALS, _LITERALS, st.one_of(st.sampled_from(["USD", "EUR", "usd", "dollars"]),
                                                             st.text(max_size=4)),
                            st.sampled_from(["decimal", "integer", "double"])), check)


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


# -- CSV with each layout and with a mapping -----------------------------------------------

_HEADERS = {
    "investments": ["company_name", "investor_name", "funded_at", "raised_amount_usd", "funding_round_type"],
    "acquisitions": ["acquirer_name", "acquired_name", "acquired_at", "price_amount", "price_currency_code",
                     "source_url"],
    "people": ["person_name", "organization_name", "title", "started_on", "ended_on"],
    "mapping": ["backer", "venture", "when", "sum", "ccy"],
}

_CELLS = st.one_of(
    st.sampled_from(["Xiaomi", "Nio", "Lei Jun", "Acme Robotics", "", " ", "-", "0", "12", "1,500,000", "1,5", "1e400",
                     "-5", "$12.50", "NaN", "2019", "2019-05-30", "30.05.2007", "2019-13-45", "3201", "99999-01-01",
                     "1/2/15", "USD", "EUR", "dollars", "=cmd|' /c calc'!A1", "@SUM(A1)", "+1", "https://x.example/1",
                     "Founder & CEO", "é𝔘\u202e", "a\nb", 'say "hi"', "x,y", "\x00", "x" * 500]),
    st.text(max_size=20),
)


@pytest.mark.parametrize("profile", PROFILE)
@pytest.mark.parametrize("layout", list(_HEADERS))
def test_csv_reader_loads_or_fails_cleanly(tmp_path, store, layout, profile):
    import csv
    import io

    path = tmp_path / "fuzz.csv"
    header = _HEADERS[layout]
    options = {"mapping": str(DATA / "deals-mapping.yaml")} if layout == "mapping" else {"layout": layout}
    options["rejects"] = str(tmp_path / "rejects.csv")

    def check(rows):
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows(rows)
        ingest_clean(store, write(path, buf.getvalue()), **options)

    rows = st.lists(st.lists(_CELLS, min_size=len(header) - 1, max_size=len(header) + 1), max_size=6)
    fuzz(profile, rows, check)


@pytest.mark.parametrize("profile", PROFILE)
def test_raw_csv_bytes_load_or_fail_cleanly(tmp_path, store, profile):
    seed = (DATA / "investments-small.csv").read_text()
    path = tmp_path / "raw.csv"
    fuzz(profile, mutated(seed), lambda text: ingest_clean(store, write(path, text), rejects=str(tmp_path / "r.csv")))


@pytest.mark.parametrize("profile", PROFILE)
def test_mapping_files_load_or_fail_cleanly(tmp_path, profile):
    from kg.errors import MappingError
    from kg.ingest.mapping import load_mapping

    seed = (DATA / "deals-mapping.yaml").read_text()
    path = tmp_path / "m.yaml"

    def check(text):
        write(path, text)
        try:
            load_mapping(path)
        except MappingError as exc:
            assert "\n" not in str(exc).strip() and str(path) in str(exc)

    fuzz(profile, mutated(seed), check, scale=2)


# -- JSON Lines, HTML and text -----------------------------------------------------------

_JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)),
                     lambda inner: st.one_of(st.lists(inner, max_size=4),
                                             st.dictionaries(st.sampled_from(["id", "text", "title", "x"]), inner,
                                                             max_size=4)), max_leaves=12)


@pytest.mark.parametrize("profile", PROFILE)
def test_json_lines_load_or_fail_cleanly(tmp_path, store, profile):
    import json

    path = tmp_path / "news.jsonl"

    def check(lines):
        text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
        ingest_clean(store, write(path, text))

    line = st.one_of(_JSON, st.builds(lambda t, i: {"id": i, "text": t}, st.text(max_size=80), st.text(max_size=8)),
                     mutated('{"id": "n1", "text": "Xiaomi invested $400 million in Nio in 2019."}'))
    fuzz(profile, st.lists(line, min_size=1, max_size=4), check, scale=0.6)


@pytest.mark.parametrize("profile", PROFILE)
def test_html_and_text_load_or_fail_cleanly(tmp_path, store, profile):
    seed = ("<!doctype html><html><head><title>Xiaomi news</title><script>var x = '<b>';</script></head>"
            "<body><h1>Xiaomi invests</h1><p>Xiaomi invested $400 million in Nio in 2019.</p></body></html>")

    def check(value):
        text, suffix = value
        ingest_clean(store, write(tmp_path / f"page{suffix}", text))

    fuzz(profile, st.tuples(mutated(seed), st.sampled_from([".html", ".txt", ".md"])), check, scale=0.6)


# -- kg sparql on the embedded store ----------------------------------------------------------

_QUERIES = [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5",
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a kg:Company } }",
    'SELECT ?x WHERE { ?x rdfs:label ?l FILTER(CONTAINS(LCASE(?l), "acme")) OPTIONAL { ?x kg:country ?c } }',
    "ASK { ?d kg:amount/kg:value ?v FILTER(?v > 10) }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
]
_NESTING = st.tuples(st.sampled_from(["{ ", "(", "!", "OPTIONAL { ", "[ "]), st.integers(0, 300))


@pytest.mark.parametrize("profile", PROFILE)
def test_sparql_text_answers_or_fails_cleanly(tmp_path, profile, runner):
    from kg.cli import main
    from kg.stores import open_store

    loc = str(tmp_path / "store")
    with open_store(loc, read_only=False) as s:
        s.raw.load(path=str(DATA / "acme.ttl"), format=__import__("pyoxigraph").RdfFormat.TURTLE,
                   to_graph=__import__("pyoxigraph").NamedNode("https://kg.example.org/graph/source/acme"))
        before = content_hash(s)

    def check(value):
        query, (opener, depth) = value
        if depth:
            closer = {"{ ": " }", "(": ")", "!": "", "OPTIONAL { ": " }", "[ ": " ]"}[opener]
            query = query.replace("WHERE {", "WHERE {" + opener * depth, 1) + closer * depth
        result = runner.invoke(main, ["--store", loc, "sparql", query], catch_exceptions=False)
        assert result.exit_code in (0, 1), result.output[-500:]
        if result.exit_code == 1:
            lines = [x for x in result.output.splitlines() if x.strip()]
            assert len(lines) == 1 and lines[0].startswith("Error: ") and "internal error" not in lines[0], lines

    queries = st.tuples(st.one_of(*(mutated(q) for q in _QUERIES)), _NESTING)
    fuzz(profile, queries, check)
    with open_store(loc, read_only=True) as s:
        assert content_hash(s) == before
