"""Tests for the news reader: kg.ingest.quantities, mentions, relations and text."""

import json
import sys
from pathlib import Path

import pytest

from kg.errors import ExtractionError
from kg.ingest.mentions import analyse, sentences
from kg.ingest.quantities import find_dates, find_money
from kg.ingest.text import extract, extract_file, read, to_turtle
from kg.resolve import core_key

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "graphs" / "sources" / "xiaomi-electric-car.txt"
sys.path.insert(0, str(ROOT / "scripts"))


def triples_of(text):
    return {(f["relation"], f["subject"], f["object"]) for f in extract(text)}


# -- quantities ---------------------------------------------------------------

@pytest.mark.parametrize("text,value,currency,approx", [
    ("nearly $400 million", 400_000_000, "USD", True),
    ("$47.5M", 47_500_000, "USD", False),
    ("US$1.2bn", 1_200_000_000, "USD", False),
    ("400 mln dlrs", 400_000_000, "USD", False),
    ("EUR 300 mln", 300_000_000, "EUR", False),
    ("about £2.5 billion", 2_500_000_000, "GBP", True),
])
def test_money(text, value, currency, approx):
    [m] = find_money(text)
    assert m.as_dict() == {"value": value, "currency": currency, "approximate": approx}


@pytest.mark.parametrize("text,value,dtype", [
    ("in 2019", "2019", "gYear"),
    ("the fourth quarter of 2020", "2020-Q4", "quarter"),
    ("May 30, 2007", "2007-05-30", "date"),
    ("in March 2018", "2018-03", "gYearMonth"),
    ("Q3 2021", "2021-Q3", "quarter"),
])
def test_dates(text, value, dtype):
    [d] = find_dates(text)
    assert (d.value, d.datatype) == (value, dtype)


def test_numbers_are_not_years():
    assert find_dates("220,220 cars and $2019 and 2019 units") == []


# -- sentences and mentions -------------------------------------------------------

def test_sentences_keep_abbreviations():
    text = "Apple Inc. bought Beats. Mr. Cook said so."
    assert [text[s.start:s.end] for s in sentences(text)] == ["Apple Inc. bought Beats.", "Mr. Cook said so."]


def test_mentions_kinds_and_clusters():
    doc = analyse("Tesla CEO Elon Musk met Lei Jun of Xpeng Motors. Musk praised Xpeng.")
    names = {(m.text, m.kind) for m in doc.mentions if not m.anaphor}
    assert ("Elon Musk", "person") in names and ("Xpeng Motors", "company") in names
    by_text = {m.text: doc.clusters[m.cluster].name for m in doc.mentions}
    assert by_text["Musk"] == "Elon Musk" and by_text["Xpeng"] == "Xpeng Motors"


def test_descriptors_and_demonyms_are_not_names():
    doc = analyse("Tesla Buys Battery Startup Maxwell, followed by German manufacturer Volkswagen.")
    assert {m.text for m in doc.mentions} == {"Tesla", "Maxwell", "Volkswagen"}


def test_pronouns_resolve_to_the_last_salient_mention():
    facts = extract("Xiaomi plans a car, and as with Apple, it is seeking a partnership with an experienced carmaker.")
    [f] = [f for f in facts if f["relation"] == "seeksPartner"]
    assert (f["subject"], f["kind"]) == ("Xiaomi", "car manufacturer")


# -- relations ------------------------------------------------------------------

@pytest.mark.parametrize("text,fact", [
    ("XYZ Corp to acquire ABC Inc for $1.2 bln", ("acquired", "XYZ Corp", "ABC Inc")),
    ("Acme buys Foo", ("acquired", "Acme", "Foo")),
    ("Foo Gets Acquired By Bar", ("acquired", "Bar", "Foo")),
    ("Acme Corp agreed to acquire Foo Ltd.", ("acquired", "Acme Corp", "Foo Ltd")),
    ("Foo Inc was acquired by Acme Group in 2018.", ("acquired", "Acme Group", "Foo Inc")),
    ("Lee Jun, CEO, and founder of Xiaomi has been busy", ("ceoOf", "Lee Jun", "Xiaomi")),
    ("Lee Jun, CEO, and founder of Xiaomi has been busy", ("founderOf", "Lee Jun", "Xiaomi")),
    ("Xiaomi's founder Lei Jun spoke.", ("founderOf", "Lei Jun", "Xiaomi")),
    ("Xiaomi chief executive Lei Jun spoke.", ("ceoOf", "Lei Jun", "Xiaomi")),
    ("Kilbride Motors teams up with Sunward Batteries", ("partnerOf", "Kilbride Motors", "Sunward Batteries")),
    ("Peter Novak met with Anita Desai to discuss the merger.", ("metWith", "Peter Novak", "Anita Desai")),
])
def test_relation_patterns(text, fact):
    assert fact in triples_of(text)


def test_investment_with_amount_date_and_status():
    [f] = extract("In 2019, Xiaomi invested nearly $400 million in Xpeng Motors.", "d")
    assert (f["relation"], f["subject"], f["object"]) == ("investedIn", "Xiaomi", "Xpeng Motors")
    assert f["amount"] == {"value": 400_000_000, "currency": "USD", "approximate": True}
    # a dated investment told in the past tense took place (the curated article graph says completed)
    assert (f["date"], f["status"], f["doc"]) == ("2019", "completed", "d")
    assert extract("Xiaomi invested in Xpeng Motors.")[0]["status"] == "reported"
    assert f["quote"] == "In 2019, Xiaomi invested nearly $400 million in Xpeng Motors."
    assert (f["start"], f["end"]) == (0, 61) and f["rule"] == "investedIn.active" and 0 < f["confidence"] <= 1


@pytest.mark.parametrize("text,status", [
    ("Acme is rumored to be in talks to buy Foo Inc.", "rumored"),
    ("Acme Corp plans to acquire Foo Inc.", "planned"),
    ("Acme Corp completed its acquisition of Foo Inc.", "completed"),
    ("Acme Corp dropped its bid for Foo Inc.", "declined"),
])
def test_status(text, status):
    [f] = [f for f in extract(text) if f["relation"] == "acquired"]
    assert f["status"] == status


def test_no_facts_from_plain_news():
    assert extract("Shares of Pendle Mining fell 4% on Friday. Analysts expect a loss.") == []


def test_min_confidence_filters():
    text = "Acme buys Foo"
    assert extract(text) and extract(text, min_confidence=0.95) == []


# -- the dev set --------------------------------------------------------------------

def test_devset_floors():
    from bench_ingest_text import evaluate, load_devset

    assert len(load_devset()) >= 80
    scores, _ = evaluate()
    assert scores["all"]["precision"] >= 0.9 and scores["all"]["recall"] >= 0.85
    for rel in ("acquired", "investedIn", "ceoOf", "founderOf"):
        assert scores[rel]["f1"] >= 0.85, (rel, scores[rel])


NEWSSET = ROOT / "tests" / "data" / "extract_newsset.jsonl"
NEWSBLIND = ROOT / "tests" / "data" / "extract_newsblind.jsonl"


def test_newsset_floors():
    """216 news headlines and passages (Title Case, ALL CAPS, sentence case), 212 gold facts."""
    from bench_ingest_text import evaluate, load_devset

    assert len(load_devset(NEWSSET)) >= 150
    scores, _ = evaluate(NEWSSET)
    # recall went from 0.93 to 0.88 in issue 13: rules that fire on at most one real dev document were removed,
    # and "X, a unit of Y" / "Y-owned X" are no longer read as acquisitions (0 right, 18 wrong on real dev text)
    assert scores["all"]["precision"] >= 0.95 and scores["all"]["recall"] >= 0.88, scores["all"]
    for rel, floor in (("acquired", 0.89), ("investedIn", 0.93), ("ceoOf", 0.85), ("founderOf", 0.9),
                       ("metWith", 0.9), ("partnerOf", 0.9)):
        assert scores[rel]["f1"] >= floor, (rel, scores[rel])
    attrs = scores["attributes"]
    assert attrs["amount"]["accuracy"] >= 0.95 and attrs["status"]["accuracy"] >= 0.95, attrs


def test_news_blind_set_floor():
    """Written after the patterns were tuned on the news set, scored once before fixes (F1 0.87)."""
    from bench_ingest_text import evaluate

    scores, _ = evaluate(NEWSBLIND)
    assert scores["all"]["f1"] >= 0.88, scores["all"]  # 0.9 before the rule audit of issue 13


@pytest.mark.parametrize("text,want", [
    ("Sequoia Capital led a $40 million Series B round in Figma, the design startup said on Tuesday.",
     ("investedIn", "Sequoia Capital", "Figma", 40_000_000, "reported")),
    ("Twitter Gets Acquired By Elon Musk", ("acquired", "Elon Musk", "Twitter", None, "reported")),
    ("Satya Nadella, chief executive of Microsoft, met with German Chancellor Olaf Scholz in Berlin.",
     ("metWith", "Satya Nadella", "Olaf Scholz", None, "reported")),
    ("Daimler is looking for a partner to build its autonomous trucks, sources said.",
     ("seeksPartner", "Daimler", None, None, "rumored")),
    ("Nissan is looking for a car manufacturer to share its platforms.",
     ("seeksPartner", "Nissan", "car manufacturer", None, "reported")),
    ("MICROSOFT TO BUY ACTIVISION BLIZZARD FOR $68.7 BLN",
     ("acquired", "MICROSOFT", "ACTIVISION BLIZZARD", 68_700_000_000, "planned")),
    ("Google in talks to acquire HubSpot", ("acquired", "Google", "HubSpot", None, "proposed")),
    ("Pfizer said to weigh bid for Seagen", ("acquired", "Pfizer", "Seagen", None, "rumored")),
    ("Nvidia calls off $40 billion Arm deal", ("acquired", "Nvidia", "Arm", 40_000_000_000, "declined")),
    ("Stripe Raises $600M Series H Led By Andreessen Horowitz",
     ("investedIn", "Andreessen Horowitz", "Stripe", 600_000_000, "reported")),
    ("Vivendi buys Lagardere stake for €610m", ("investedIn", "Vivendi", "Lagardere", 610_000_000, "reported")),
    ("Tim Cook Meets With Chinese Vice Premier He Lifeng", ("metWith", "Tim Cook", "He Lifeng", None, "reported")),
])
def test_news_grammar(text, want):
    got = {(f["relation"], f["subject"], f["object"], (f["amount"] or {}).get("value"), f["status"])
           for f in extract(text)}
    assert want in got, got


@pytest.mark.parametrize("text", [
    "Former Google CEO Eric Schmidt invests in drone startup",
    "Bob Iger steps down as CEO of Disney",
    "Carlos Tavares resigns as Stellantis CEO",
])
def test_former_chief_executives_are_not_ceos(text):
    assert not [f for f in extract(text) if f["relation"] == "ceoOf"]


@pytest.mark.parametrize("text", [
    "Apple's market value tops $3 trillion",
    "Analysts expect consolidation in the sector",
    "DATABRICKS RAISES $500 MLN AT $43 BLN VALUATION",
    "Honda and Nissan to merge",
])
def test_news_without_facts(text):
    assert extract(text) == []


def test_a_business_bought_is_the_target_not_its_owner():
    [f] = extract("Tallow To Acquire Brenner AG's Nordic Business For Rs 2,850 Crore")
    assert (f["subject"], f["object"], f["status"]) == ("Tallow", "Brenner AG's Nordic Business", "planned")
    assert f["amount"]["currency"] == "INR"


@pytest.mark.parametrize("text,value,currency", [
    ("Rs 1,000 crore", 10_000_000_000, "INR"),
    ("1.2 billion euros", 1_200_000_000, "EUR"),
    ("€500m", 500_000_000, "EUR"),
    ("£30m", 30_000_000, "GBP"),
    ("¥10bn", 10_000_000_000, "JPY"),
    ("3 billion Swiss francs", 3_000_000_000, "CHF"),
    ("C$13.5 billion", 13_500_000_000, "CAD"),
])
def test_money_in_other_currencies(text, value, currency):
    [m] = find_money(text)
    assert (m.as_dict()["value"], m.currency) == (value, currency)


def test_partner_search_without_a_kind_has_no_object_in_turtle():
    from kg.ingest.text import document_triples

    facts = extract("Daimler is looking for a partner to build its autonomous trucks.", "d")
    triples = document_triples("d", facts)
    text = " ".join(str(t) for t in triples)
    assert "PartnerSearch" in text and "soughtPartnerKind" not in text and "candidate" not in text


# -- the article -----------------------------------------------------------------

CURATED_ENTITIES = {"Xiaomi", "Lei Jun", "Xpeng Motors", "Apple", "Tesla", "Elon Musk", "Volkswagen", "Statista"}
CURATED_FACTS = [
    ("ceoOf", "Lei Jun", "Xiaomi"), ("founderOf", "Lei Jun", "Xiaomi"),
    ("investedIn", "Xiaomi", "Xpeng Motors"), ("partnerOf", "Xiaomi", "Xpeng Motors"),
    ("seeksPartner", "Xiaomi", "car manufacturer"), ("seeksPartner", "Apple", "car manufacturer"),
    ("seeksPartner", "Lei Jun", "car manufacturer"), ("metWith", "Lei Jun", "Elon Musk"),
]


def test_article_recall_into_an_empty_store():
    from kg.ingest import Batch
    from kg.stores import open_store

    store = open_store("memory:")
    [batch] = read(ARTICLE, store=store, options={})
    assert isinstance(batch, Batch) and batch.graph.endswith("/graph/source/xiaomi-electric-car")
    store.replace_graphs({batch.graph: batch.triples})
    labels = {r["l"].value for r in store.query(
        "SELECT ?l WHERE { ?e a ?c ; rdfs:label ?l VALUES ?c { kg:Company kg:Person kg:Organization } }")}
    entity_recall = len(CURATED_ENTITIES & labels) / len(CURATED_ENTITIES)
    assert entity_recall >= 0.9, labels
    rows = store.query("""
      SELECT ?cls ?s ?o WHERE {
        ?d a ?cls ; kg:evidence ?e .
        { ?d kg:investor ?x ; kg:investee ?y } UNION { ?d kg:holder ?x ; kg:organization ?y }
        UNION { ?d kg:seeker ?x ; kg:soughtPartnerKind ?y } UNION { ?d kg:seeker ?x ; kg:candidate ?y }
        UNION { ?d kg:participant ?x, ?y FILTER(?x != ?y) } UNION { ?d kg:partner ?x, ?y FILTER(?x != ?y) }
        UNION { ?d kg:acquirer ?x ; kg:target ?y }
        OPTIONAL { ?d kg:role ?role }
        ?x rdfs:label ?s . ?y rdfs:label ?o .
        BIND(IF(?role = kg:CEO, "ceoOf", IF(?role = kg:Founder, "founderOf", STR(?cls))) AS ?cls2)
      }""")
    found = set()
    names = {"Investment": "investedIn", "PartnerSearch": "seeksPartner", "Meeting": "metWith",
             "Partnership": "partnerOf", "Acquisition": "acquired"}
    for r in rows:
        cls = r["cls"].value.rsplit("#", 1)[-1]
        found.add((names.get(cls, cls), r["s"].value, r["o"].value))
    roles = {(("ceoOf" if "CEO" in t else "founderOf"), h, o) for t, h, o in _positions(store)}
    found |= roles
    recall = sum(1 for f in CURATED_FACTS if f in found) / len(CURATED_FACTS)
    assert recall >= 0.8, found


def _positions(store):
    return [(r["r"].value, r["h"].value, r["o"].value) for r in store.query(
        "SELECT ?r ?h ?o WHERE { ?d kg:role ?r ; kg:holder/rdfs:label ?h ; kg:organization/rdfs:label ?o }")]


def test_article_facts_have_evidence_and_details():
    facts = extract(ARTICLE.read_text(encoding="utf-8"), "xiaomi", observations=True)
    text = ARTICLE.read_text(encoding="utf-8")
    for f in facts:
        assert text[f["start"]:f["end"]] == f["quote"]
    inv = next(f for f in facts if f["relation"] == "investedIn")
    assert inv["amount"]["value"] == 400_000_000 and inv["date"] == "2019"
    part = next(f for f in facts if f["relation"] == "partnerOf")
    assert part["status"] == "declined"
    meet = next(f for f in facts if f["relation"] == "metWith" and f["object_name"] == "Elon Musk")
    assert meet["subject_name"] == "Lei Jun" and meet["date"] == "2013"
    apple = next(f for f in facts if f["relation"] == "seeksPartner" and f["subject"] == "Apple")
    assert apple["status"] == "rumored"
    obs = {(o["subject"], o["value"], o["period"]) for o in facts if o["relation"] == "observation"}
    assert ("Xpeng Motors", 326, "2020-Q4") in obs and ("Volkswagen", 220220, "2020") in obs


def test_resolution_reuses_store_entities_and_keeps_candidates():
    from kg.stores import open_store

    store = open_store("memory:")
    store.update("""INSERT DATA { GRAPH <urn:g> {
      <urn:lei> a kg:Person ; rdfs:label "Lei Jun" .
      <urn:xpeng> a kg:Company ; rdfs:label "Xpeng Motors" .
      <urn:xiaomi> a kg:Company ; rdfs:label "Xiaomi Corporation" . } }""")
    tmp = ROOT / "tests" / "data" / "extract_resolve_sample.txt"
    [batch] = read(tmp, store=store, options={})
    text = "\n".join(f"{t.subject} {t.predicate} {t.object}" for t in batch.triples)
    assert "<urn:xpeng>" in text and "<urn:xiaomi>" in text
    assert "possibleSameAs> <urn:xpeng>" not in text
    # "Lee Jun" only resembles the known "Lei Jun": a candidate for review, never a merge or an alias
    assert "person/lee-jun> <https://kg.example.org/ontology#possibleSameAs> <urn:lei>" in text
    assert '<urn:lei> <http://www.w3.org/2004/02/skos/core#altLabel> "Lee Jun"' not in text
    fact = next(f for f in batch.facts if f["relation"] == "ceoOf")
    assert fact["subject"] == "Lee Jun" and fact["subject_match"]["iri"] == "urn:lei"
    assert fact["subject_match"]["status"] == "candidate" and fact["object_match"]["status"] == "exact"


# -- reading files -----------------------------------------------------------------

def test_reingest_is_idempotent():
    from kg.stores import open_store

    store = open_store("memory:")
    for _ in range(2):
        [b] = read(ARTICLE, store=store, options={})
        store.replace_graphs({b.graph: b.triples})
    n = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value
    assert int(n) == len(set(b.triples))
    assert "kg:Investment" in to_turtle(b)


def test_html_markdown_and_jsonl(tmp_path):
    (tmp_path / "a.html").write_text("<html><head><script>var x='Acme buys Foo';</script></head>"
                                     "<body><p>Northwind Corp to acquire Larkspur Inc</p></body></html>")
    (tmp_path / "b.md").write_text("# Brightwater buys [Pellucid](http://x)\n")
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "h1", "text": "Quillfeather Gets Acquired By Tandemly"}) + "\n")
    facts = list(extract_file(tmp_path))
    got = {(f["doc"], f["subject"], f["object"]) for f in facts}
    assert got == {("a", "Northwind Corp", "Larkspur Inc"), ("b", "Brightwater", "Pellucid"),
                   ("h1", "Tandemly", "Quillfeather")}
    md = next(f for f in facts if f["doc"] == "b")
    # Markdown markup is blanked, not removed: offsets point into the file
    assert (tmp_path / "b.md").read_text()[md["start"]:md["end"]].startswith("Brightwater buys [Pellucid")


@pytest.mark.parametrize("content,reason", [
    (b"", "empty"),
    (b"\x00\x01\x02binary", "binary"),
    (b"caf\xe9 Acme buys Foo", "UTF-8"),
    (b'{"id": 1, "text": 5}\n', "text"),
])
def test_bad_input_is_refused_with_the_file_name(tmp_path, content, reason):
    p = tmp_path / ("bad.jsonl" if b"{" in content else "bad.txt")
    p.write_bytes(content)
    with pytest.raises(ExtractionError, match=f"{p.name}.*{reason}|{reason}.*"):
        read(p, store=None, options={})


def test_oversized_file_is_refused(tmp_path):
    p = tmp_path / "big.txt"
    with open(p, "wb") as f:
        f.seek(50 * 1024 * 1024)
        f.write(b"x")
    with pytest.raises(ExtractionError, match="big.txt.*MB"):
        read(p, store=None, options={})


def test_cli_extract_prints_jsonl(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    data = json.dumps({"id": "x1", "text": "Acme Corp to acquire Foo Inc for $1.2 bln"}) + "\n"
    result = CliRunner().invoke(main, ["extract", "-", "--jsonl"], input=data)
    assert result.exit_code == 0, result.output
    fact = json.loads(result.output.splitlines()[0])
    assert {k: fact[k] for k in ("doc", "relation", "subject", "object")} == {
        "doc": "x1", "relation": "acquired", "subject": "Acme Corp", "object": "Foo Inc"}
    assert fact["amount"]["value"] == 1_200_000_000
    for key in ("date", "status", "confidence", "quote", "start", "end"):
        assert key in fact
    bad = CliRunner().invoke(main, ["extract", str(tmp_path / "missing.txt")])
    assert bad.exit_code != 0 and "missing.txt" in bad.output
    assert core_key("Foo Inc") == "foo"
