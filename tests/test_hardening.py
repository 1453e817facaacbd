"""Hostile and broken input (issue 16): limits before parsing, strict values, one-line errors, Ctrl-C.

Each test names the input that used to hang, abort, crash or load silently,
and asserts the clean answer it gets now: a one-line ``Error: <file>…`` with
exit 1, and a store exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import sigint_default

from kg.errors import MappingError, ParseError

DATA = Path(__file__).resolve().parent / "data"
ACME = DATA / "acme.ttl"


# -- helpers -------------------------------------------------------------------


def store_hash(location) -> str:
    """sha256 of the sorted N-Quads of an on-disk store (of no quads when there is no store)."""
    from kg.stores import open_store

    if not (Path(location) / "CURRENT").exists():
        return hashlib.sha256(b"").hexdigest()
    with open_store(location, read_only=True) as store:
        return hashlib.sha256("\n".join(sorted(str(q) for q in store.raw)).encode()).hexdigest()


def ingest_fails(runner, store: str, *args: str, expect: str) -> str:
    """Run ``kg ingest`` that must fail cleanly: exit 1, one line naming ``expect``, the store unchanged."""
    from kg.cli import main

    before = store_hash(store)
    result = runner.invoke(main, ["--store", store, "ingest", *args], catch_exceptions=False)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 1, result.output
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "internal error" not in lines[0] and "Traceback" not in result.output
    assert expect in lines[0], lines[0]
    assert store_hash(store) == before
    return lines[0]


@pytest.fixture
def seeded_store(tmp_path, runner) -> str:
    """An on-disk store holding one small valid Turtle file."""
    from kg.cli import main

    src = tmp_path / "seed.ttl"
    src.write_text('<https://kg.example.org/id/company/seed> <http://www.w3.org/2000/01/rdf-schema#label> "Seed" .\n')
    loc = str(tmp_path / "store")
    result = runner.invoke(main, ["--store", loc, "ingest", str(src)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return loc


def _deal_ttl(date='"2019"^^xsd:gYear', value='"5"^^xsd:decimal', currency='"USD"') -> str:
    """A deal that conforms to the shapes, but for the date, value or currency given."""
    return f"""@prefix kg: <https://kg.example.org/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://kg.example.org/id/company/h-a> a kg:Company ; rdfs:label "H A" .
<https://kg.example.org/id/company/h-b> a kg:Company ; rdfs:label "H B" .
<https://kg.example.org/id/deal/x> a kg:Investment ; kg:investor <https://kg.example.org/id/company/h-a> ;
    kg:investee <https://kg.example.org/id/company/h-b> ; kg:date {date} ; kg:status kg:Completed ;
    kg:amount <https://kg.example.org/id/deal/x/amount> ; kg:evidence <https://kg.example.org/id/evidence/h/1> .
<https://kg.example.org/id/evidence/h/1> a kg:Evidence ; kg:source <https://kg.example.org/id/source/h> .
<https://kg.example.org/id/source/h> a kg:Source .
<https://kg.example.org/id/deal/x/amount> a kg:MonetaryAmount ; kg:value {value} ; kg:currency {currency} .
"""


# -- limits before parsing ---------------------------------------------------------


def _laughs(levels: int = 12) -> str:
    ents = '<!ENTITY a0 "lollollollol">\n' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">\n' for i in range(1, levels))
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
{ents}]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">
<rdf:Description rdf:about="http://ex.org/s"><ex:p>&a{levels - 1};</ex:p></rdf:Description>
</rdf:RDF>"""


def test_billion_laughs_rdfxml_is_refused_not_expanded(tmp_path, seeded_store, runner):
    f = tmp_path / "laughs.rdf"
    f.write_text(_laughs())
    t = time.perf_counter()
    ingest_fails(runner, seeded_store, str(f), expect="entities would expand to over 16 MiB")
    assert time.perf_counter() - t < 10


def test_billion_laughs_in_an_attribute_is_refused(tmp_path, seeded_store, runner):
    f = tmp_path / "laughs2.rdf"
    f.write_text(_laughs().replace('rdf:about="http://ex.org/s"', 'rdf:about="http://ex.org/&a11;"')
                 .replace("<ex:p>&a11;</ex:p>", "<ex:p>x</ex:p>"))
    ingest_fails(runner, seeded_store, str(f), expect="laughs2.rdf")


def test_ordinary_xml_entities_still_load(tmp_path):
    from kg.ingest.rdf import parse_file

    f = tmp_path / "onto.rdf"
    f.write_text("""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://ex.org/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">
<rdf:Description rdf:about="&ex;s"><ex:p>&ex;</ex:p></rdf:Description>
</rdf:RDF>""")
    [q] = parse_file(f)
    assert q.subject.value == "http://ex.org/s" and q.object.value == "http://ex.org/"


def test_external_entity_is_refused(tmp_path):
    from kg.ingest.rdf import parse_file

    f = tmp_path / "xxe.rdf"
    f.write_text("""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">
<rdf:Description rdf:about="http://ex.org/s"><ex:p>&x;</ex:p></rdf:Description>
</rdf:RDF>""")
    with pytest.raises(ParseError, match="external or parameter entity"):
        parse_file(f)


@pytest.mark.parametrize("name, text, expect", [
    ("deep.jsonld", '{"@id": "http://ex.org/s", "http://ex.org/p": ' + '{"http://ex.org/q": ' * 30000 + "1"
     + "}" * 30000 + "}", "JSON nested more than 32 levels deep"),
    ("deep.rdf", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">'
     '<rdf:Description rdf:about="http://ex.org/s">' + '<ex:p rdf:parseType="Resource">' * 20000
     + "</ex:p>" * 20000 + "</rdf:Description></rdf:RDF>", "XML elements nested more than 64 levels deep"),
    ("deep.ttl", "<urn:a> <urn:p> " + "<<( <urn:a> <urn:p> " * 100000 + "1" + " )>>" * 100000 + " .",
     "triple terms nested more than 16 levels deep"),
])
def test_deep_nesting_is_refused_quickly(tmp_path, seeded_store, runner, name, text, expect):
    # These used to segfault (JSON-LD objects, triple terms) or take minutes (RDF/XML).
    f = tmp_path / name
    f.write_text(text)
    t = time.perf_counter()
    ingest_fails(runner, seeded_store, str(f), expect=expect)
    assert time.perf_counter() - t < 15


@pytest.mark.parametrize("suffix", [".ttl", ".csv", ".nt"])
def test_symlink_to_dev_zero_is_refused(tmp_path, seeded_store, runner, suffix):
    link = tmp_path / f"zero{suffix}"
    link.symlink_to("/dev/zero")
    ingest_fails(runner, seeded_store, str(link), expect="not a regular file (a character device)")


@pytest.mark.parametrize("suffix", [".ttl", ".csv", ".rdf"])
def test_fifo_is_refused_without_blocking(tmp_path, seeded_store, runner, suffix):
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    ingest_fails(runner, seeded_store, str(fifo), expect="not a regular file (a FIFO)")


def test_folder_ingest_does_not_follow_links_out(tmp_path, runner):
    from kg.cli import main

    secret = tmp_path / "secret.txt"
    secret.write_text("Xiaomi invested $400 million in Nio in 2019. SECRET-TOKEN")
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("Acme Robotics acquired Tiny Bots in 2016.")
    (news / "leak.txt").symlink_to(secret)
    (news / "etc").symlink_to("/etc")
    result = runner.invoke(main, ["--store", "memory:", "ingest", str(news), "--dry-run", "-F", "json"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "secret" not in result.output and "SECRET-TOKEN" not in result.output and "/etc" not in result.output


def test_csv_line_without_newline_is_refused_at_the_limit(tmp_path, seeded_store, runner):
    f = tmp_path / "long.csv"
    f.write_bytes(b"company_name,investor_name,funded_at\n" + b"x" * (3 * 1024 * 1024))
    ingest_fails(runner, seeded_store, str(f), expect="long.csv:2: line longer than 1 MiB")


def test_csv_with_a_huge_quoted_cell_is_refused(tmp_path, seeded_store, runner):
    f = tmp_path / "cell.csv"
    f.write_text('company_name,investor_name,funded_at\n"' + ("y" * 1000 + "\n") * 2000 + '",b,2019\n')
    ingest_fails(runner, seeded_store, str(f), expect="cell.csv")


def test_rdf_over_the_memory_limit_is_refused_before_reading(tmp_path, monkeypatch):
    from kg.ingest import limits
    from kg.ingest.rdf import parse_file

    monkeypatch.setattr(limits, "MAX_RDF_BYTES", 100)
    f = tmp_path / "big.jsonld"
    f.write_text('{"@id": "http://ex.org/s", "http://ex.org/p": "' + "x" * 200 + '"}')
    with pytest.raises(ParseError, match="over the 0 KiB limit"):
        parse_file(f)


# -- hang tests: linear time ------------------------------------------------------


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def test_json_depth_check_is_linear():
    from kg.ingest.limits import max_bracket_depth

    small = '{"a": [' + ",".join(['{"b": [1, 2, {"c": "[[{"}]}'] * 2000) + "]}"
    big = '{"a": [' + ",".join(['{"b": [1, 2, {"c": "[[{"}]}'] * 20000) + "]}"
    assert max_bracket_depth(big) == 5
    ratio = min(_time(lambda: max_bracket_depth(big)) for _ in range(3)) / max(
        min(_time(lambda: max_bracket_depth(small)) for _ in range(3)), 1e-6)
    assert ratio < 30  # 10x the input: about 10x the time, never 100x


def test_many_tiny_jsonld_documents_and_long_lines_parse_in_linear_time(tmp_path):
    from kg.ingest.rdf import parse_file

    def write(n: int) -> Path:
        f = tmp_path / f"many-{n}.jsonld"
        f.write_text("[" + ",".join(f'{{"@id": "http://ex.org/s{i}", "http://ex.org/p": "v{i}"}}'
                                    for i in range(n)) + "]")
        return f

    small, big = write(2000), write(20000)
    t_small = min(_time(lambda: parse_file(small)) for _ in range(2))
    t_big = min(_time(lambda: parse_file(big)) for _ in range(2))
    assert len(parse_file(big)) == 20000
    assert t_big / max(t_small, 1e-3) < 30


def test_long_turtle_literal_line_loads_in_linear_time(tmp_path):
    from kg.ingest.rdf import parse_file

    f = tmp_path / "long.ttl"
    f.write_text('<urn:a> <urn:b> "' + "word " * 400_000 + '" .\n')
    assert _time(lambda: parse_file(f)) < 10


# -- strict values ------------------------------------------------------------------


@pytest.mark.parametrize("cell, reason", [
    ("1,5", "unparseable amount '1,5'"),
    ("1e400", "unparseable amount '1e400'"),
    ("-5", "unparseable amount '-5'"),
    ("12,34,567", "unparseable amount"),
    ("1.2345678", "more than 6 digits after the point"),
    ("99999999999999999999", "over the largest amount"),
    ("NaN", "unparseable amount"),
    ("Infinity", "unparseable amount"),
])
def test_loose_amounts_are_rejected(cell, reason):
    from kg.ingest.mapping import RowConverter, RowError

    with pytest.raises(RowError, match=reason):
        RowConverter.parse_amount(cell)


@pytest.mark.parametrize("cell, value", [("1,500", "1500"), ("$2,000,000.50", "2000000.50"), ("12", "12"),
                                         ("0.5", "0.5")])
def test_exact_amounts_load(cell, value):
    from kg.ingest.mapping import RowConverter

    assert str(RowConverter.parse_amount(cell)) == value


def test_bad_csv_values_go_to_rejects_and_never_poison_the_total(tmp_path, runner):
    from kg.cli import main

    f = tmp_path / "deals.csv"
    f.write_text("company_name,investor_name,funded_at,raised_amount_usd,currency\n"
                 "Xpeng,Xiaomi,2019,400000000,USD\n"
                 "Nio,Xiaomi,2020,\"1,5\",USD\n"
                 "Li Auto,Xiaomi,2020,1e400,USD\n"
                 "Zeekr,Xiaomi,2021,100,dollars\n"
                 "Aiways,Xiaomi,3201,100,USD\n"
                 "Byton,Xiaomi,2019-13-45,100,USD\n")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("class: Investment\nroles:\n  investee: {column: company_name, class: Company}\n"
                       "  investor: {column: investor_name}\ndate: {column: funded_at}\n"
                       "amount: {column: raised_amount_usd, currency_column: currency}\n")
    store = str(tmp_path / "store")
    result = runner.invoke(main, ["--store", store, "ingest", str(f), "--mapping", str(mapping)],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rejects = (tmp_path / "deals.rejects.csv").read_text()
    for reason in ("unparseable amount '1,5'", "unparseable amount '1e400'", "bad currency 'dollars'",
                   "year 3201 is outside", "impossible date '2019-13-45'"):
        assert reason in rejects
    from kg.stores import open_store

    with open_store(store, read_only=True) as s:
        rows = list(s.query("""PREFIX kg: <https://kg.example.org/ontology#>
            SELECT (SUM(?v) AS ?total) (COUNT(?v) AS ?n) WHERE { ?a a kg:MonetaryAmount ; kg:value ?v }"""))
    assert rows[0]["total"].value == "400000000" and rows[0]["n"].value == "1"


#: Not well-formed, or too large to add up: refused by the reader, even with --force.
_ILL_FORMED = [
    ({"value": '"1E+400"^^xsd:decimal'}, "'1E+400' is not an xsd:decimal"),
    ({"value": '"100000000000000000000"^^xsd:decimal'}, "too large to add up"),
    ({"date": '"2019-13-45"^^xsd:date'}, "'2019-13-45' is not a date"),
    ({"date": '"2019-02-30"^^xsd:date'}, "'2019-02-30' is not a date"),
]
#: Well-formed but outside the shapes: refused by validation (``--force`` loads them).
_OUT_OF_SHAPE = [
    ({"value": '"-5"^^xsd:decimal'}, "an amount needs one non-negative number"),
    ({"value": '"1e30"^^xsd:double'}, "an amount needs one non-negative number"),
    ({"currency": '"dollars"'}, "currency must be an ISO 4217 code"),
    ({"date": '"3201"^^xsd:gYear'}, "between 1500 and 2099"),
    ({"date": '"99999-01-01"^^xsd:date'}, "between 1500 and 2099"),
]


@pytest.mark.parametrize("kwargs, expect", _ILL_FORMED + _OUT_OF_SHAPE)
@pytest.mark.parametrize("bulk", [False, True], ids=["memory", "on-disk"])
def test_bad_rdf_values_fail_on_every_path(tmp_path, runner, kwargs, expect, bulk):
    from kg.cli import main

    f = tmp_path / "deal.ttl"
    f.write_text(_deal_ttl(**kwargs))
    store = str(tmp_path / "store") if bulk else "memory:"
    result = runner.invoke(main, ["--store", store, "ingest", str(f)], catch_exceptions=False)
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: {f}") and expect in lines[0], lines[0]
    if bulk:
        assert store_hash(store) == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("kwargs, expect", _ILL_FORMED)
def test_force_cannot_load_values_that_poison_aggregates(tmp_path, runner, kwargs, expect):
    f = tmp_path / "deal.ttl"
    f.write_text(_deal_ttl(**kwargs))
    ingest_fails(runner, str(tmp_path / "store"), str(f), "--force", expect=expect)


def test_force_loads_out_of_shape_values_and_the_total_stays_defined(tmp_path, runner):
    from kg.cli import main
    from kg.stores import open_store

    f = tmp_path / "deal.ttl"
    f.write_text(_deal_ttl(value='"-5"^^xsd:decimal', currency='"dollars"'))
    store = str(tmp_path / "store")
    result = runner.invoke(main, ["--store", store, "ingest", str(f), "--force"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with open_store(store, read_only=True) as s:
        [row] = list(s.query("PREFIX kg: <https://kg.example.org/ontology#> "
                             "SELECT (SUM(?v) AS ?t) WHERE { ?a a kg:MonetaryAmount ; kg:value ?v }"))
    assert row["t"].value == "-5"


def test_valid_rdf_values_load(tmp_path):
    from kg.ingest.rdf import parse_file

    f = tmp_path / "deal.ttl"
    f.write_text(_deal_ttl(value='"12.5"^^xsd:decimal', date='"2019-02-28"^^xsd:date'))
    assert len(parse_file(f)) == 17


# -- RDF 1.2 ------------------------------------------------------------------------


def test_rdf12_triple_terms_get_a_clear_not_supported(tmp_path, seeded_store, runner):
    f = tmp_path / "t12.ttl"
    f.write_text("<urn:a> <urn:b> <<( <urn:c> <urn:d> <urn:e> )>> .\n")
    ingest_fails(runner, seeded_store, str(f), expect="RDF 1.2 triple terms are not supported")
    ingest_fails(runner, "memory:", str(f), expect="RDF 1.2 triple terms are not supported")


def test_rdf12_directional_language_tags_load(tmp_path, runner):
    from kg.cli import main

    f = tmp_path / "dir.ttl"
    f.write_text('<https://kg.example.org/id/company/a> <http://www.w3.org/2000/01/rdf-schema#label> "x"@ar--rtl .\n')
    for store in ("memory:", str(tmp_path / "store")):
        result = runner.invoke(main, ["--store", store, "ingest", str(f)], catch_exceptions=False)
        assert result.exit_code == 0, result.output


# -- mapping files ---------------------------------------------------------------------


@pytest.mark.parametrize("text, expect", [
    ("class: Investment\nroles: " + "[" * 5000 + "]" * 5000, "YAML nested more than 32 levels deep"),
    ("a: &a [x, x]\n" + "".join(f"b{i}: &b{i} [*{'a' if i == 0 else f'b{i - 1}'}, *{'a' if i == 0 else f'b{i - 1}'}]\n"
                                for i in range(120)), "more than 100 YAML aliases"),
    ("class: Investment\nroles: {investor: {column: inv}}\nmin_year: [1]\n", "'min_year' must be a year"),
    ("class: Investment\nroles: {investor: {column: inv}}\nmax_year: 3000\n", "'max_year' must be a year"),
    ("class: Investment\nroles: {investor: {column: inv}}\ndate: {column: d, formats: 5}\n", "wrong type"),
    ("class: Investment\nroles: {investor: {column: inv}}\niri: [1]\n", "m.yaml"),
    ("class: Investment\nroles: {investor: {column: inv}}\namount: {column: a, currency: dollars}\n",
     "ISO 4217"),
    ("\tclass: x", "not valid YAML"),
])
def test_bad_mapping_files_get_one_clean_error(tmp_path, text, expect):
    from kg.ingest.mapping import load_mapping

    m = tmp_path / "m.yaml"
    m.write_text(text)
    with pytest.raises(MappingError, match=expect) as info:
        load_mapping(m)
    assert str(m) in str(info.value) and "\n" not in str(info.value)


def test_mapping_that_is_a_fifo_is_refused(tmp_path):
    from kg.ingest.mapping import load_mapping

    m = tmp_path / "m.yaml"
    os.mkfifo(m)
    with pytest.raises(MappingError, match="not a regular file"):
        load_mapping(m)


# -- one-line errors ---------------------------------------------------------------------


def test_bad_graph_iri_is_one_line(tmp_path, runner):
    f = tmp_path / "a.ttl"
    f.write_text("<urn:a> <urn:b> <urn:c> .\n")
    ingest_fails(runner, "memory:", str(f), "--graph", "not an iri", expect="invalid graph IRI")


@pytest.mark.parametrize("line, expect", [
    ('{"id": "a", "text": "\\ud800"}', "lone surrogate"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ('{"id": "a", "text": ' + "[" * 5000 + "]" * 5000 + "}", "n.jsonl:1"),
])
def test_bad_json_lines_are_one_line(tmp_path, runner, line, expect):
    f = tmp_path / "n.jsonl"
    f.write_text(line + "\n")
    ingest_fails(runner, "memory:", str(f), expect=expect)


# -- safe output ------------------------------------------------------------------------------


def test_csv_and_tsv_output_neutralise_formulas():
    import pyoxigraph as ox

    from kg.formats import format_rows

    rows = [{"name": "=cmd|' /c calc'!A1", "note": "+1", "who": "@x", "n": -5,
             "lit": ox.Literal("-7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
             "s": ox.Literal("-HYPERLINK()")}]
    csv_text = format_rows(rows, "csv")
    assert csv_text.splitlines()[1] == "'=cmd|' /c calc'!A1,'+1,'@x,-5,-7,'-HYPERLINK()"
    assert format_rows(rows, "tsv").splitlines()[1].split("\t")[:4] == ["'=cmd|' /c calc'!A1", "'+1", "'@x", "-5"]


# -- Ctrl-C and kill -9 -----------------------------------------------------------------------


def _csv_rows(path: Path, n: int) -> Path:
    with open(path, "w") as fh:
        fh.write("company_name,investor_name,funded_at,raised_amount_usd\n")
        for i in range(n):
            fh.write(f"Co{i % 5000},Inv{(i * 7919) % 3000},{1990 + i % 30}-0{1 + i % 9}-1{i % 9},{1 + i}\n")
    return path


def _start_ingest(store: str, src: Path, tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "kg", "--store", store, "ingest", str(src)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
                            preexec_fn=sigint_default)


def _wait_for_copy(store: str, proc: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        if list(Path(store).parent.glob(Path(store).name + ".import-*")):
            return True
        time.sleep(0.05)
    return False


def test_ctrl_c_during_a_load_says_the_store_is_unchanged_and_cleans_up(tmp_path, seeded_store):
    src = _csv_rows(tmp_path / "deals.csv", 40000)
    before = store_hash(seeded_store)
    proc = _start_ingest(seeded_store, src, tmp_path)
    assert _wait_for_copy(seeded_store, proc), "the import never started its working copy"
    time.sleep(0.5)
    t = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert time.perf_counter() - t < 3
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == "Interrupted before the import was committed; the store is unchanged."
    assert store_hash(seeded_store) == before
    assert not list(tmp_path.glob("store.import-*"))


def test_ctrl_c_during_the_commit_says_it_was_committed(tmp_path, seeded_store):
    import pyoxigraph as ox

    from kg.ingest.bulk import Interrupted, exchange, in_a_copy
    from kg.stores import open_store

    def load(work):
        copy = ox.Store(work)
        copy.add(ox.Quad(ox.NamedNode("urn:new"), ox.NamedNode("urn:p"), ox.Literal("x")))
        copy.flush()
        del copy

    def exchange_then_ctrl_c(a, b):
        exchange(a, b)
        os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, right after the atomic swap

    with open_store(seeded_store, read_only=False) as store:
        with pytest.raises(Interrupted) as info:
            in_a_copy(store, load, exchange_then_ctrl_c)
        assert info.value.committed is True
        assert store.query("ASK { <urn:new> ?p ?o }")
    assert not list(tmp_path.glob("store.import-*"))


def test_debris_of_a_killed_import_is_removed_at_the_next_open(tmp_path, seeded_store):
    from kg.stores import open_store

    src = _csv_rows(tmp_path / "deals.csv", 40000)
    before = store_hash(seeded_store)
    proc = _start_ingest(seeded_store, src, tmp_path)
    assert _wait_for_copy(seeded_store, proc)
    time.sleep(0.3)
    proc.kill()
    proc.wait(30)
    debris = list(tmp_path.glob("store.import-*"))
    assert debris, "kill -9 left no working copy to clean (the import finished too fast?)"
    with open_store(seeded_store, read_only=False):
        pass
    assert not list(tmp_path.glob("store.import-*"))
    assert store_hash(seeded_store) == before
