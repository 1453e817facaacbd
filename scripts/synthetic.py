"""A seeded synthetic graph of companies, people and deals in kg's ontology.

Participants are drawn with Zipf-like weights, so a few hub companies and
people take part in many deals and most in few: the degree distribution has
the heavy tail real deal graphs have, which is what stresses path finding,
betweenness and community detection.

Every deal is a node with its class, its roles, a date at year or day
precision, a status, an amount (investments and acquisitions), and one piece of
evidence (a quote, a source and a confidence), exactly like curated data.
Meetings have topics, partner searches a kind or a named candidate and a
purpose, sources a title, some people and companies aliases, and one deal in
twenty comes with a reported figure (a ``kg:Observation``), so every named
query of ``kg/queries`` returns rows.

The output is line-based (one triple or quad per line), so it is valid
N-Triples/Turtle (``.nt``/``.ttl``) or N-Quads (``.nq``, one named graph per
synthetic source), and is written in a stream: memory stays flat at any size.

Usage::

    python scripts/synthetic.py --deals 10000 -o /tmp/synth.ttl
    python scripts/synthetic.py --deals 100000 --seed 7 -o /tmp/synth.nq

As a library::

    from scripts.synthetic import write_synthetic
    stats = write_synthetic("/tmp/s.ttl", deals=1000, seed=42)
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sys
from pathlib import Path

BASE = "https://kg.example.org/"
KG = BASE + "ontology#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
DC_TITLE = "http://purl.org/dc/terms/title"
XSD = "http://www.w3.org/2001/XMLSchema#"

INDUSTRIES = (
    "car manufacturer", "battery maker", "chip designer", "software", "bank", "venture fund",
    "smartphone maker", "telecom operator", "retailer", "logistics", "biotech", "insurer",
    "energy utility", "robotics", "cloud provider", "media", "semiconductor foundry", "airline",
)
#: deal class → share of deals
DEAL_MIX = (
    ("Investment", 0.35), ("Acquisition", 0.10), ("Partnership", 0.20),
    ("Meeting", 0.15), ("Position", 0.15), ("PartnerSearch", 0.05),
)
STATUS_MIX = (("Reported", 0.55), ("Completed", 0.2), ("Rumored", 0.1), ("Planned", 0.06),
              ("Proposed", 0.05), ("Declined", 0.04))
SYLLABLES = ("xi", "ao", "mi", "pe", "ng", "te", "sla", "vol", "ks", "wa", "gen", "ap", "ple",
             "bai", "du", "ni", "o", "li", "auto", "ka", "ra", "zen", "tor", "qu", "an", "tum")
GIVEN = ("Lei", "Elon", "Anna", "Wei", "Maria", "John", "Li", "Sara", "Tom", "Yuki", "Omar",
         "Eva", "Raj", "Chen", "Lucia", "Hans", "Nadia", "Ken", "Mei", "Paul")
FAMILY = ("Jun", "Musk", "Schmidt", "Wang", "Garcia", "Smith", "Zhang", "Kim", "Rossi", "Tanaka",
          "Khan", "Novak", "Patel", "Liu", "Costa", "Weber", "Haddad", "Sato", "Chen", "Brown")


def _lit(text: str) -> str:
    """An N-Triples string literal, escaped."""
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{esc}"'


def _typed(value: str, dtype: str) -> str:
    return f'"{value}"^^<{XSD}{dtype}>'


def _zipf_sampler(rng: random.Random, n: int, alpha: float):
    """A function returning an index in ``range(n)`` with P(i) ∝ 1/(i+1)^alpha."""
    cum = list(itertools.accumulate(1.0 / (i + 1) ** alpha for i in range(n)))
    total = cum[-1]
    # Shuffle which index is a hub, so hubs are not all the lowest ids.
    order = list(range(n))
    rng.shuffle(order)

    def draw() -> int:
        return order[bisect.bisect_left(cum, rng.random() * total)]

    return draw


def _pick(rng: random.Random, mix):
    r = rng.random()
    acc = 0.0
    for name, share in mix:
        acc += share
        if r < acc:
            return name
    return mix[-1][0]


def _observation(emit, rng: random.Random, d: int, subject: str, source: str, g: int) -> int:
    """One reported figure about a company (so the ``observations`` query has rows); returns 0 (emit counts)."""
    obs = f"{ID}observation/synth-{d}"
    ev = f"{obs}/evidence"
    emit(obs, RDF_TYPE, f"<{KG}Observation>", g)
    emit(obs, f"{KG}subject", f"<{subject}>", g)
    emit(obs, f"{KG}metric", _lit(rng.choice(("sales", "revenue growth", "deliveries"))), g)
    emit(obs, f"{KG}value", _typed(str(rng.randint(1, 10_000)), "integer"), g)
    emit(obs, f"{KG}unit", _lit("units"), g)
    emit(obs, f"{KG}period", _typed(str(rng.randint(2000, 2024)), "gYear"), g)
    emit(obs, f"{KG}evidence", f"<{ev}>", g)
    emit(ev, RDF_TYPE, f"<{KG}Evidence>", g)
    emit(ev, f"{KG}source", f"<{source}>", g)
    emit(ev, f"{KG}quote", _lit("Sales figures were reported."), g)
    return 0


def _company_name(rng: random.Random, i: int) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{word} {i}"


def write_synthetic(
    path: str | Path,
    *,
    deals: int = 10_000,
    seed: int = 42,
    alpha: float = 1.1,
    fmt: str | None = None,
    sources: int = 50,
) -> dict:
    """Write a synthetic deal graph to ``path``.

    Args:
        path: output file; ``.nq`` writes N-Quads (one named graph per
            source), anything else N-Triples lines (valid Turtle).
        deals: how many deal nodes to generate.
        seed: the random seed; the same seed gives the same file.
        alpha: the Zipf exponent of participant popularity (higher: stronger hubs).
        fmt: ``"nquads"`` or ``"ntriples"``; by default from the suffix.
        sources: how many synthetic sources (named graphs) the facts come from.

    Returns:
        ``{"deals", "companies", "people", "triples", "path", "entities": [iri, …]}``
        (``entities`` lists a few hub IRIs, handy for path queries).

    >>> import tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "s.ttl")
    >>> write_synthetic(out, deals=50)["deals"]
    50
    """
    path = Path(path)
    fmt = fmt or ("nquads" if path.suffix == ".nq" else "ntriples")
    rng = random.Random(seed)
    n_comp = max(10, deals // 4)
    n_people = max(10, deals // 8)
    companies = [f"{ID}company/synth-{i}" for i in range(n_comp)]
    people = [f"{ID}person/synth-{i}" for i in range(n_people)]
    concepts = [f"{ID}concept/{name.replace(' ', '-')}" for name in INDUSTRIES]
    graphs = [f"{GRAPH}source/synthetic-{i}" for i in range(sources)]
    source_iris = [f"{ID}source/synthetic-{i}" for i in range(sources)]
    draw_comp = _zipf_sampler(rng, n_comp, alpha)
    draw_person = _zipf_sampler(rng, n_people, alpha)
    count = 0

    with path.open("w", encoding="utf-8") as out:
        write = out.write

        def emit(s: str, p: str, o: str, g: int = 0) -> None:
            nonlocal count
            count += 1
            if fmt == "nquads":
                write(f"<{s}> <{p}> {o} <{graphs[g]}> .\n")
            else:
                write(f"<{s}> <{p}> {o} .\n")

        for i, c in enumerate(concepts):
            emit(c, RDF_TYPE, f"<{KG}Concept>")
            emit(c, SKOS_PREF, _lit(INDUSTRIES[i]))
            emit(c, RDFS_LABEL, _lit(INDUSTRIES[i]))
        for i, s in enumerate(source_iris):
            emit(s, RDF_TYPE, f"<{KG}Source>", i)
            emit(s, RDFS_LABEL, _lit(f"Synthetic Wire {i}"), i)
            emit(s, DC_TITLE, _lit(f"Synthetic Wire {i}: deal news"), i)
        names = []
        for i, c in enumerate(companies):
            name = _company_name(rng, i)
            names.append(name)
            g = i % sources
            emit(c, RDF_TYPE, f"<{KG}Company>", g)
            emit(c, RDFS_LABEL, _lit(name), g)
            if rng.random() < 0.2:
                emit(c, SKOS_ALT, _lit(name.upper()), g)
            emit(c, f"{KG}industry", f"<{rng.choice(concepts)}>", g)
        pnames = []
        for i, p in enumerate(people):
            name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {i}"
            pnames.append(name)
            emit(p, RDF_TYPE, f"<{KG}Person>", i % sources)
            emit(p, RDFS_LABEL, _lit(name), i % sources)
            if rng.random() < 0.1:
                emit(p, SKOS_ALT, _lit(name.replace(" ", ". ", 1)), i % sources)

        for d in range(deals):
            kind = _pick(rng, DEAL_MIX)
            deal = f"{ID}deal/synth-{d}"
            g = rng.randrange(sources)
            emit(deal, RDF_TYPE, f"<{KG}{kind}>", g)
            year = rng.randint(2000, 2024)
            if rng.random() < 0.5:
                emit(deal, f"{KG}date", _typed(str(year), "gYear"), g)
            else:
                emit(deal, f"{KG}date", _typed(f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "date"), g)
            status = _pick(rng, STATUS_MIX)
            emit(deal, f"{KG}status", f"<{KG}{status}>", g)
            if kind in ("Investment", "Acquisition"):
                a, b = draw_comp(), draw_comp()
                while b == a:
                    b = draw_comp()
                roles = ("investor", "investee") if kind == "Investment" else ("acquirer", "target")
                emit(deal, KG + roles[0], f"<{companies[a]}>", g)
                emit(deal, KG + roles[1], f"<{companies[b]}>", g)
                amt = f"{deal}/amount"
                value = round(10 ** rng.uniform(5, 10), -3)
                emit(deal, f"{KG}amount", f"<{amt}>", g)
                emit(amt, RDF_TYPE, f"<{KG}MonetaryAmount>", g)
                emit(amt, f"{KG}value", _typed(f"{value:.0f}", "decimal"), g)
                emit(amt, f"{KG}currency", _lit("USD"), g)
                approx = rng.random() < 0.3
                emit(amt, f"{KG}approximate", _typed("true" if approx else "false", "boolean"), g)
                verb = "invested in" if kind == "Investment" else "acquired"
                quote = f"{names[a]} {verb} {names[b]} for {'nearly ' if approx else ''}${value / 1e6:.1f} million."
            elif kind == "Partnership":
                a, b = draw_comp(), draw_comp()
                while b == a:
                    b = draw_comp()
                emit(deal, f"{KG}partner", f"<{companies[a]}>", g)
                emit(deal, f"{KG}partner", f"<{companies[b]}>", g)
                quote = f"{names[a]} and {names[b]} agreed to work together."
            elif kind == "Meeting":
                a, b = draw_person(), draw_person()
                while b == a:
                    b = draw_person()
                emit(deal, f"{KG}participant", f"<{people[a]}>", g)
                emit(deal, f"{KG}participant", f"<{people[b]}>", g)
                emit(deal, f"{KG}topic", _lit(rng.choice(INDUSTRIES)), g)
                quote = f"{pnames[a]} met {pnames[b]} in {year}."
            elif kind == "Position":
                a, b = draw_person(), draw_comp()
                role = "CEO" if rng.random() < 0.5 else "Founder"
                emit(deal, f"{KG}holder", f"<{people[a]}>", g)
                emit(deal, f"{KG}organization", f"<{companies[b]}>", g)
                emit(deal, f"{KG}role", f"<{KG}{role}>", g)
                quote = f"{pnames[a]}, {role} of {names[b]}."
            else:
                a = draw_comp()
                emit(deal, f"{KG}seeker", f"<{companies[a]}>", g)
                if rng.random() < 0.5:
                    emit(deal, f"{KG}soughtPartnerKind", f"<{rng.choice(concepts)}>", g)
                else:
                    b = draw_comp()
                    emit(deal, f"{KG}candidate", f"<{companies[b if b != a else (a + 1) % n_comp]}>", g)
                emit(deal, f"{KG}purpose", _lit("to build electric cars"), g)
                quote = f"{names[a]} is looking for a partner."
            ev = f"{deal}/evidence"
            emit(deal, f"{KG}evidence", f"<{ev}>", g)
            emit(ev, RDF_TYPE, f"<{KG}Evidence>", g)
            emit(ev, f"{KG}source", f"<{source_iris[g]}>", g)
            emit(ev, f"{KG}quote", _lit(quote), g)
            emit(ev, f"{KG}confidence", _typed(f"{rng.uniform(0.5, 1.0):.2f}", "decimal"), g)
            if d % 20 == 0:
                count += _observation(emit, rng, d, companies[draw_comp()], source_iris[g], g)

    sample = random.Random(seed + 1)
    return {
        "deals": deals,
        "companies": n_comp,
        "people": n_people,
        "triples": count,
        "path": str(path),
        "entities": [companies[sample.randrange(n_comp)] for _ in range(10)]
        + [people[sample.randrange(n_people)] for _ in range(10)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=10_000, help="number of deals (default 10000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--alpha", type=float, default=1.1, help="Zipf exponent of hubs (default 1.1)")
    parser.add_argument("-o", "--output", required=True, help=".ttl/.nt (triples) or .nq (quads)")
    args = parser.parse_args(argv)
    stats = write_synthetic(args.output, deals=args.deals, seed=args.seed, alpha=args.alpha)
    print(f"wrote {stats['triples']} statements ({stats['deals']} deals, {stats['companies']} companies, "
          f"{stats['people']} people) to {stats['path']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
