"""Tests for kg.ingest.mapping: mapping validation, date and amount parsing, row conversion."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import MappingError
from kg.ingest.mapping import (
    LAYOUTS,
    RowConverter,
    RowError,
    builtin_layout,
    detect_layout,
    load_mapping,
    parse_mapping,
)
from kg.ontology import ID, KG, XSD

DATA = Path(__file__).resolve().parent / "data"
INV_HEADER = ["company_name", "investor_name", "funded_at", "raised_amount_usd"]


@pytest.fixture
def conv():
    return RowConverter(builtin_layout("investments"), INV_HEADER, "deals.csv")


@pytest.mark.parametrize("name", LAYOUTS)
def test_builtin_layouts_load(name):
    m = builtin_layout(name)
    assert m.name == name and m.roles


def test_unknown_layout_lists_the_known_ones():
    with pytest.raises(MappingError, match="investments, acquisitions, people"):
        builtin_layout("funding")


@pytest.mark.parametrize("header, layout", [
    (["company_name", "investor_name", "funded_at", "raised_amount_usd"], "investments"),
    (["startup_name", "investor_name", "funded_when", "amount_usd"], "investments"),
    (["acquiring_name", "acquired_name", "price_amount", "price_currency_code"], "acquisitions"),
    (["acquirer_name", "acquired_name"], "acquisitions"),
    (["person_name", "organization_name", "title", "started_on"], "people"),
])
def test_detect_layout_from_crunchbase_variants(header, layout):
    assert detect_layout(header).name == layout


def test_detect_layout_fails_clearly():
    with pytest.raises(MappingError, match="no built-in layout fits.*--layout"):
        detect_layout(["a", "b"])


@pytest.mark.parametrize("data, message", [
    ({"class": "Merger", "roles": {"a": {"column": "x"}}}, "'class' must be one of"),
    ({"class": "Investment", "roles": {}}, "'roles' must map at least one role"),
    ({"class": "Investment", "roles": {"investor": {"column": []}}}, "roles.investor: 'column'"),
    ({"class": "Investment", "roles": {"investor": {"column": "x", "class": "Thing"}}}, "roles.investor: 'class'"),
    ({"class": "Investment", "roles": {"investor": {"column": "x"}}, "date": {"column": "d", "formats": ["%m/%d"]}},
     "has no year"),
    ({"class": "Investment", "roles": {"investor": {"column": "x"}}, "amount": {"column": "a", "currency": "dollars"}},
     "ISO 4217"),
    ({"class": "Investment", "roles": {"investor": {"column": "x"}}, "iri": "inv/{nope}"}, r"names \{nope\}"),
    ({"class": "Investment", "roles": {"investor": {"column": "x"}}, "colour": 1}, "unknown key"),
])
def test_invalid_mappings_say_what_is_wrong(data, message):
    with pytest.raises(MappingError, match=message):
        parse_mapping(data, "m.yaml")


def test_load_mapping_reports_yaml_errors_with_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("class: Investment\nroles: [unclosed\n")
    with pytest.raises(MappingError, match=r"bad.yaml:\d+: not valid YAML"):
        load_mapping(p)


def test_custom_mapping_file():
    m = load_mapping(DATA / "deals-mapping.yaml")
    c = RowConverter(m, ["backer", "venture", "when", "sum", "ccy"], "custom.csv")
    fact = c.convert(["Xiaomi", "Nio", "30.05.2007", "12.5", "cny"], 2)
    text = "".join(fact.lines)
    assert f'"2007-05-30"^^<{XSD}date>' in text
    assert '"12.5"' in text and '"CNY"' in text
    assert fact.deal.endswith("/deal/investment-xiaomi-nio-2")


@pytest.mark.parametrize("text, lexical, dtype", [
    ("2007-05-30", "2007-05-30", "date"),
    ("5/30/07", "2007-05-30", "date"),
    ("5/30/2007", "2007-05-30", "date"),
    ("2019", "2019", "gYear"),
    ("2015-07", "2015-07", "gYearMonth"),
])
def test_dates_keep_their_precision(conv, text, lexical, dtype):
    spec = conv.mapping.dates[0]
    assert conv.parse_date(text, spec) == (lexical, dtype)


@pytest.mark.parametrize("text, reason", [
    ("3201", "impossible date '3201': year 3201"),
    ("3201-01-01", "year 3201"),
    ("2012-02-30", "impossible date"),
    ("yesterday", "unparseable date"),
    ("31/31/99", "unparseable date"),
])
def test_bad_dates_are_rejected(conv, text, reason):
    with pytest.raises(RowError, match=reason):
        conv.parse_date(text, conv.mapping.dates[0])


@pytest.mark.parametrize("text, value", [
    ("", None), ("0", None), ("0.00", None), ("-", None),
    ("1500000", 1500000), ("$1,500,000", 1500000), ("12.5", 12.5),
])
def test_amounts_empty_or_zero_mean_undisclosed(text, value):
    got = RowConverter.parse_amount(text)
    assert (got is None) if value is None else float(got) == value


@pytest.mark.parametrize("text", ["abc", "-5", "1e400x", "NaN"])
def test_bad_amounts_are_rejected(text):
    with pytest.raises(RowError, match="unparseable amount"):
        RowConverter.parse_amount(text)


def test_row_becomes_deal_with_roles_amount_and_line_evidence(conv):
    fact = conv.convert(["Xpeng Motors", "Xiaomi", "2019", "400000000"], 7)
    text = "".join(fact.lines)
    deal = f"<{ID}deal/investedin-xiaomi-xpeng-motors-2019>"
    assert f"{deal} <{KG}investor> <{ID}company/xiaomi>" in text
    assert f"{deal} <{KG}investee> <{ID}company/xpeng-motors>" in text
    assert f'"400000000"^^<{XSD}decimal>' in text and '"USD"' in text
    assert f"<{ID}evidence/deals/7> <{KG}line> \"7\"^^<{XSD}integer>" in text
    assert f"<{ID}evidence/deals/7> <{KG}source> <{ID}source/deals>" in text


def test_undisclosed_amount_has_no_amount_node(conv):
    text = "".join(conv.convert(["Acme", "Sequoia", "2007", "0"], 2).lines)
    assert f"<{KG}amount>" not in text and "MonetaryAmount" not in text


def test_missing_required_and_duplicates(conv):
    with pytest.raises(RowError, match="missing investee"):
        conv.convert(["", "Xiaomi", "2019", "1"], 2)
    conv.convert(["Acme", "Sequoia", "2007", ""], 3)
    with pytest.raises(RowError, match="duplicate of line 3"):
        conv.convert(["ACME", " sequoia", "2007", ""], 4)
    # another round in the same year is not a duplicate: it is a second deal
    other = conv.convert(["Acme", "Sequoia", "2007", "500"], 5)
    assert other.deal.endswith("/deal/investedin-sequoia-acme-2007-2")


def test_same_name_in_two_roles_is_one_entity(conv):
    a = conv.convert(["Delta", "Xiaomi", "2019", ""], 2)
    b = conv.convert(["Xiaomi", "Delta Ltd", "2020", ""], 3)
    assert a.entities[1][0] == b.entities[0][0] == f"{ID}company/xiaomi"


def test_resolver_reuses_existing_iris():
    c = RowConverter(builtin_layout("investments"), INV_HEADER, "d.csv",
                     resolver=lambda key, cls: f"{ID}company/xiaomi" if key == "xiaomi inc" else None)
    fact = c.convert(["Xpeng", "Xiaomi, Inc.", "2019", ""], 2)
    assert fact.entities[1] == (f"{ID}company/xiaomi", "Organization", "Xiaomi, Inc.", False)
    # an existing entity gets no new label from the CSV
    assert not any("label" in line and "xiaomi>" in line for line in c.entity_lines(fact.entities, set()))


def test_people_titles_become_role_concepts():
    m = builtin_layout("people")
    c = RowConverter(m, ["person_name", "organization_name", "title", "started_on", "ended_on"], "p.csv")
    text = "".join(c.convert(["Lei Jun", "Xiaomi", "Founder & CEO", "2010-04-06", ""], 2).lines)
    assert f"<{KG}role> <{KG}CEO>" in text and f"<{KG}role> <{KG}Founder>" in text
    assert f'<{KG}startDate> "2010-04-06"^^<{XSD}date>' in text
    fact = c.convert(["Ada Novak", "Acme", "CTO", "", ""], 3)
    assert f"<{KG}role> <{ID}concept/cto>" in "".join(fact.lines)


def test_missing_column_for_required_role():
    with pytest.raises(MappingError, match="no column for role 'investor'"):
        RowConverter(builtin_layout("investments"), ["company_name", "funded_at"], "x.csv")


def test_literals_are_escaped():
    c = RowConverter(builtin_layout("investments"), INV_HEADER, "d.csv")
    fact = c.convert(['Evil "Corp" \\ \n Inc', "X", "2019", ""], 2)
    import pyoxigraph as ox

    lines = "".join(c.entity_lines(fact.entities, set()) + fact.lines)
    labels = [t.object.value for t in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES) if "label" in t.predicate.value]
    assert 'Evil "Corp" \\ Inc' in labels
