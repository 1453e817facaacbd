"""Tests for kg.resolve: folding, suffixes, the lexicon, fuzzy matching and anaphora."""

from types import SimpleNamespace

import pytest

from kg.resolve import (
    Gazetteer,
    KnownEntity,
    antecedent,
    canonical_spelling,
    core_key,
    gazetteer_from_store,
    name_key,
    similarity,
)


def test_name_key_is_unchanged():
    assert name_key("Xpeng  Motors, Inc.") == "xpeng motors inc"


@pytest.mark.parametrize("a,b", [("Xpeng Motors", "Xpeng"), ("Apple Inc.", "Apple"), ("The Coca-Cola Company", "coca cola"),
                                 ("Volkswagen AG", "VOLKSWAGEN")])
def test_core_key_strips_suffixes_case_and_punctuation(a, b):
    assert core_key(a) == core_key(b)


def test_core_key_keeps_one_word():
    assert core_key("Group") == "group"


def test_lexicon_maps_declared_spellings():
    from kg.resolve import parse_lexicon

    lex = parse_lexicon({"variants": {"Big Blue": "IBM"},
                         "contextual": [{"name": "Ginni", "canonical": "Ginni Rometty", "when": ["IBM"]}]})
    assert canonical_spelling("big  blue", lex=lex) == "IBM"
    assert canonical_spelling("Ginni", lex=lex) is None
    assert canonical_spelling("Ginni", {"ibm"}, lex) == "Ginni Rometty"


def test_the_shipped_lexicon_holds_no_guessed_variants_of_the_article():
    from kg.resolve import lexicon

    assert canonical_spelling("Lee Jun") is None and canonical_spelling("John", {"xiaomi", "lei jun"}) is None
    assert lexicon()["variants"] == {} and lexicon()["contextual"] == []


def test_sound_keys_group_transliterations_not_different_names():
    from kg.resolve import sound_key

    assert sound_key("Lee") == sound_key("Lei") and sound_key("John") == sound_key("Jun")
    assert sound_key("Musk") != sound_key("Cook") and sound_key("") == ""


def test_similarity_scores():
    assert similarity("Apple Inc.", "apple inc") == 1.0
    assert similarity("Xpeng Motors", "Xpeng") == 0.95
    assert similarity("Volkswagon", "Volkswagen") >= 0.9
    assert similarity("Tesla", "Nikola") < 0.5


@pytest.fixture
def gaz():
    return Gazetteer([
        KnownEntity("urn:xiaomi", "Xiaomi", "company"),
        KnownEntity("urn:xpeng", "Xpeng Motors", "company", ["Xpeng"]),
        KnownEntity("urn:lei", "Lei Jun", "person"),
        KnownEntity("urn:vw", "Volkswagen", "company"),
    ])


def test_match_exact_alias_suffix_and_lexicon(gaz):
    assert (gaz.match("Xiaomi").entity.iri, gaz.match("Xiaomi").score) == ("urn:xiaomi", 1.0)
    assert gaz.match("XPENG").via == "alias"
    m = gaz.match("Xpeng Motors Inc.")
    assert (m.entity.iri, m.status) == ("urn:xpeng", "exact")
    m = gaz.match("Lee Jun", "person")  # no longer a lexicon entry: only a candidate for review
    assert (m.entity.iri, m.status) == ("urn:lei", "candidate") and m.score < 0.9


def test_fuzzy_match_reports_score_and_candidates_are_not_merged(gaz):
    m = gaz.match("Volkswagenn")
    assert m.entity.iri == "urn:vw" and m.status == "fuzzy" and 0.9 <= m.score < 1
    m = gaz.match("Xiaomo Corp")
    assert m.status == "candidate" and m.entity.iri == "urn:xiaomi" and m.score < 0.9
    assert gaz.match("Nikola").status == "new"


def test_kind_must_agree(gaz):
    assert gaz.match("Lei Jun", "org").entity is None
    assert gaz.match("Xiaomi", "person").entity is None


def test_gazetteer_from_store_reads_labels_and_aliases():
    import pyoxigraph as ox

    from kg.stores import open_store

    store = open_store("memory:")
    store.update("""INSERT DATA { GRAPH <urn:g> {
      <urn:x> a kg:Company ; rdfs:label "Xpeng Motors" ; skos:altLabel "Xpeng", "XPeng" .
      <urn:p> a kg:Person ; rdfs:label "Lei Jun" . } }""")
    g = gazetteer_from_store(store)
    assert {(e.iri, e.kind) for e in g.entities} == {("urn:x", "company"), ("urn:p", "person")}
    assert sorted(next(e for e in g.entities if e.iri == "urn:x").aliases) == ["XPeng", "Xpeng"]
    assert gazetteer_from_store(None).entities == []
    assert ox  # imported for the store


def test_antecedent_prefers_salient_then_recency():
    ms = [SimpleNamespace(start=0, kind="company", salient=True, text="Xiaomi", sentence=0),
          SimpleNamespace(start=20, kind="person", salient=True, text="Lei Jun", sentence=0),
          SimpleNamespace(start=30, kind="company", salient=False, text="Apple", sentence=0)]
    assert antecedent("org", ms, 40, sentence=0).text == "Xiaomi"
    assert antecedent("org", ms, 40, sentence=0, recency=True).text == "Apple"
    assert antecedent("person", ms, 40, sentence=0).text == "Lei Jun"
    assert antecedent("org", ms, 0) is None


@pytest.mark.parametrize("name", ["Amazon Inc", "AMAZON.COM INC.", "Amazon.com", "amazon corp"])
def test_news_spellings_resolve_without_suffixes(name):
    gaz = Gazetteer([KnownEntity("urn:amazon", "Amazon", "company")])
    m = gaz.match(name, "org")
    assert (m.entity.iri, m.status) == ("urn:amazon", "exact") and m.score >= 0.9
