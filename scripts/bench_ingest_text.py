#!/usr/bin/env python3
"""Measure the news extractor: quality on the dev set and throughput in articles per second.

Quality: precision, recall and F1 per relation on tests/data/extract_devset.jsonl
(hand-written sentences and headlines with gold facts). A predicted fact counts
when its relation matches and its two names match the gold ones after folding
case, punctuation and corporate suffixes (either order for symmetric relations).

Throughput: runs kg.ingest.text.extract over N synthetic articles built from
the article in graphs/sources and the dev set, several times, and reports the
median.

A gold fact may also give ``amount`` ({"value", "currency"}), ``date`` and
``status`` (default "reported"); on the facts found, the agreement on each is
reported as "attributes". A gold ``object`` of null (a partner search naming
no partner) matches only a prediction whose object is null.

Gold sets in tests/data: extract_devset.jsonl and extract_heldout.jsonl (the
first, invented names), extract_newsset.jsonl (216 real-world-style headlines
and passages in Title Case, ALL CAPS and sentence case) and
extract_newsblind.jsonl (61 items written after the news-set work, as a check).

Real text (issue 13): with ``--real``, every development set in ../shared/extraction-dev
(deal headlines, KnowledgeNet, FIRE, Re-DocRED, Reuters stories unwrapped and as wrapped) is
split at random (``--seed``, default 13) into a tuning half and a check half, each half is
extracted in process exactly as ``kg extract - --jsonl`` does, and precision, recall and F1 per
relation are printed for both halves with the documents per second. Names match as the sets'
scorer matches them. The data is read where it lies and never copied into the project.

Usage:
    python scripts/bench_ingest_text.py --real          # real-text scores, both halves, and speed
    python scripts/bench_ingest_text.py --real --show reuters_acq --limit 20   # misses of a tuning half
    python scripts/bench_ingest_text.py --rules         # rule audit: documents each rule fires on
    python scripts/bench_ingest_text.py                 # both
    python scripts/bench_ingest_text.py --quality       # dev-set scores only
    python scripts/bench_ingest_text.py --quality --errors --devset tests/data/extract_newsset.jsonl
    python scripts/bench_ingest_text.py --articles 200 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.ingest.text import RELATIONS, extract  # noqa: E402
from kg.resolve import core_key  # noqa: E402
from kg.schema import load as load_schema  # noqa: E402

DEVSET = ROOT / "tests" / "data" / "extract_devset.jsonl"


def same(a: str, b: str) -> bool:
    """Names match after folding and suffix stripping."""
    return core_key(a) == core_key(b)


def fact_matches(pred: dict, gold: dict) -> bool:
    if pred["relation"] != gold["relation"]:
        return False
    pairs = [(pred["subject"], pred["object"])]
    if pred["relation"] in load_schema().symmetric_relations:
        pairs.append((pred["object"], pred["subject"]))
    if gold["object"] is None:  # a search that names no partner: the object must be empty too
        return pred["object"] is None and same(pred["subject"], gold["subject"])
    return any(o is not None and same(s, gold["subject"]) and (same(o, gold["object"]) or
               (pred.get("object_type") == "kind" and core_key(gold["object"]) in core_key(o)))
               for s, o in pairs)


def attribute_hits(pred: dict, gold: dict, tally: dict) -> None:
    """Count agreement on amount (value and currency), date and status, where the gold fact gives them."""
    if "amount" in gold:
        a = pred.get("amount") or {}
        ok = a.get("value") == gold["amount"]["value"] and a.get("currency") == gold["amount"]["currency"]
        tally["amount"][0 if ok else 1] += 1
    if "date" in gold:
        tally["date"][0 if pred.get("date") == gold["date"] else 1] += 1
    tally["status"][0 if pred.get("status") == gold.get("status", "reported") else 1] += 1


def score(rows: list[dict], predictions: dict[str, list[dict]]) -> dict:
    """Precision, recall and F1 per relation and overall (micro)."""
    counts = {r: {"tp": 0, "fp": 0, "fn": 0} for r in RELATIONS}
    tally = {"amount": [0, 0], "date": [0, 0], "status": [0, 0]}
    for row in rows:
        preds = [p for p in predictions.get(row["id"], []) if p["relation"] in RELATIONS]
        golds = list(row["facts"])
        used = set()
        for g in golds:
            hit = next((i for i, p in enumerate(preds) if i not in used and fact_matches(p, g)), None)
            if hit is None:
                counts[g["relation"]]["fn"] += 1
            else:
                used.add(hit)
                counts[g["relation"]]["tp"] += 1
                attribute_hits(preds[hit], g, tally)
        for i, p in enumerate(preds):
            if i not in used:
                counts[p["relation"]]["fp"] += 1
    out = {}
    total = {"tp": 0, "fp": 0, "fn": 0}
    for rel, c in counts.items():
        for k in total:
            total[k] += c[k]
        out[rel] = prf(c)
    out["all"] = prf(total)
    # accuracy of amount, date and status on the facts found (status "reported" when gold gives none)
    out["attributes"] = {k: {"right": r, "wrong": w, "accuracy": round(r / (r + w), 3) if r + w else 1.0}
                         for k, (r, w) in tally.items()}
    return out


def prf(c: dict) -> dict:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), **c}


def load_devset(path: Path = DEVSET) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(path: Path = DEVSET) -> tuple[dict, dict]:
    rows = load_devset(path)
    predictions = {row["id"]: extract(row["text"], row["id"]) for row in rows}
    return score(rows, predictions), predictions


def throughput(articles: int, repeat: int) -> dict:
    article = (ROOT / "graphs" / "sources" / "xiaomi-electric-car.txt").read_text(encoding="utf-8")
    dev = [r["text"] for r in load_devset()]
    docs = []
    for i in range(articles):
        # vary the text so nothing is cached: the article plus a rotating slice of the dev set
        extra = " ".join(dev[(i * 7 + k) % len(dev)] for k in range(10))
        docs.append(article + "\n\n" + extra)
    chars = sum(len(d) for d in docs)
    extract(docs[0], "warmup")
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for i, d in enumerate(docs):
            extract(d, f"a{i}", observations=True)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return {"articles": articles, "avg_chars": chars // articles, "repeat": repeat,
            "median_s": round(med, 3), "articles_per_s": round(articles / med, 1),
            "runs_s": [round(t, 3) for t in times]}


# ---------------------------------------------------------------------------
# Real text: the development parts in ../shared/extraction-dev (never copied here)
# ---------------------------------------------------------------------------

REAL_DIR = ROOT.parent / "shared" / "extraction-dev"
REAL_SETS = ("acq_headlines", "kn_ceo_founder", "fire", "redocred_founder", "reuters_acq", "reuters_acq_wrapped")
_FOLD_SUFFIXES = {"inc", "corp", "corporation", "co", "company", "ltd", "llc", "plc", "group", "holdings",
                  "the", "sa", "ag", "gmbh", "limited", "incorporated"}


def _name_tokens(name) -> set:
    return {t for t in re.sub(r"[^a-z0-9]+", " ", (name or "").lower()).split() if t not in _FOLD_SUFFIXES}


def same_real(a, b) -> bool:
    """The dev sets' name match: after folding case, punctuation and suffixes, one's tokens contain the other's."""
    ta, tb = _name_tokens(a), _name_tokens(b)
    return bool(ta) and bool(tb) and (ta <= tb or tb <= ta)


def real_halves(name: str, seed: int = 13) -> tuple[list[dict], list[dict]]:
    """A set's documents split at random (seeded) into a tuning half and a check half."""
    import random

    docs = [json.loads(line) for line in (REAL_DIR / f"{name}.dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    order = list(range(len(docs)))
    random.Random(f"{seed}-{name.replace('_wrapped', '')}").shuffle(order)
    half = len(order) // 2
    return [docs[i] for i in sorted(order[:half])], [docs[i] for i in sorted(order[half:])]


def score_real(docs: list[dict]) -> tuple[dict, list, float]:
    """Per-relation tp/fp/fn over documents as the dev-set scorer counts them, the misses, and docs/s."""
    from kg.ingest.documents import readable_text
    from kg.ingest.text import extract_document

    counts: dict = {}
    misses = []
    t0 = time.perf_counter()
    # as `kg extract - --jsonl` reads them: decoding repairs misread code pages and reads a lone link first
    found = {d["id"]: extract_document(readable_text(d["text"]), str(d["id"])) for d in docs}
    secs = time.perf_counter() - t0
    for d in docs:
        for rel in d.get("annotated") or sorted({g["relation"] for g in d["gold"]}):
            c = counts.setdefault(rel, {"tp": 0, "fp": 0, "fn": 0})
            gold = [g for g in d["gold"] if g["relation"] == rel]
            used, wrong = set(), []
            for f in (f for f in found[d["id"]] if f["relation"] == rel):
                hit = next((i for i, g in enumerate(gold) if i not in used and same_real(f["subject"], g["subject"])
                            and same_real(f["object"], g["object"])), None)
                if hit is None:
                    c["fp"] += 1
                    wrong.append((f["subject"], f["object"], f["rule"]))
                else:
                    used.add(hit)
                    c["tp"] += 1
            missed = [(g["subject"], g["object"]) for i, g in enumerate(gold) if i not in used]
            c["fn"] += len(missed)
            if wrong or missed:
                misses.append({"id": d["id"], "relation": rel, "wrong": wrong, "missed": missed})
    return counts, misses, len(docs) / secs if secs else 0.0


def report_real(seed: int, show: str | None = None, limit: int = 40) -> None:
    """Print, for every dev set present, P/R/F1 per relation on both halves and the speed."""
    if not REAL_DIR.is_dir():
        print(f"{REAL_DIR} is not here: no real-text scores")
        return
    print(f"{'set':<22}{'half':<7}{'relation':<11}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}{'docs/s':>8}")
    for name in REAL_SETS:
        if not (REAL_DIR / f"{name}.dev.jsonl").exists():
            continue
        for label, docs in zip(("tune", "check"), real_halves(name, seed), strict=True):
            counts, misses, speed = score_real(docs)
            total = {k: sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn")}
            for rel, c in [*counts.items(), ("all", total)]:
                s = prf(c)
                print(f"{name:<22}{label:<7}{rel:<11}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
                      f"{c['tp']:>5}{c['fp']:>5}{c['fn']:>5}{speed:>8.0f}")
            if show == name and label == "tune":
                texts = {d["id"]: d["text"] for d in docs}
                for m in misses[:limit]:
                    print(f"\n[{m['id']}] {texts[m['id']][:300]!r}\n  {m['relation']} wrong {m['wrong']} missed {m['missed']}")


#: Relations the development sets annotate: a rule of these must fire on more than one of their documents.
AUDITED = ("acquired", "ceoOf", "founderOf")


def rule_audit() -> tuple[dict[str, dict[str, int]], list[str]]:
    """How many development documents each rule fires on (right or wrong), and the audited rules that fire
    on at most one.

    Returns:
        ({rule id: {"docs": n, "right": r, "wrong": w}}, [rule ids of the audited relations with docs <= 1]).
    """
    from kg.ingest.documents import readable_text
    from kg.ingest.relations import rules
    from kg.ingest.text import extract_document

    fired: dict[str, dict[str, int]] = {r.id: {"docs": 0, "right": 0, "wrong": 0} for r in rules()[0]}
    for name in REAL_SETS:
        if name.endswith("_wrapped") or not (REAL_DIR / f"{name}.dev.jsonl").exists():
            continue  # the wrapped stories are the unwrapped ones again
        for d in (json.loads(line) for line in (REAL_DIR / f"{name}.dev.jsonl").read_text(encoding="utf-8")
                  .splitlines() if line.strip()):
            seen = set()
            for f in extract_document(readable_text(d["text"]), str(d["id"])):
                for ev in f.get("evidence") or [f]:
                    tally = fired.setdefault(ev["rule"], {"docs": 0, "right": 0, "wrong": 0})
                    if ev["rule"] not in seen:
                        seen.add(ev["rule"])
                        tally["docs"] += 1
                    gold = [g for g in d["gold"] if g["relation"] == f["relation"]]
                    if f["relation"] in (d.get("annotated") or {g["relation"] for g in d["gold"]}):
                        ok = any(same_real(f["subject"], g["subject"]) and same_real(f["object"], g["object"])
                                 for g in gold)
                        tally["right" if ok else "wrong"] += 1
    relation_of = {r.id: r.relation for r in rules()[0]}
    lonely = sorted(r for r, c in fired.items() if c["docs"] <= 1 and (
        relation_of.get(r) in AUDITED or relation_of.get(r) == "role"))
    return fired, lonely


def report_rules() -> int:
    """Print the rule audit; 1 when an audited rule fires on at most one development document."""
    if not REAL_DIR.is_dir():
        print(f"{REAL_DIR} is not here: no rule audit")
        return 0
    fired, lonely = rule_audit()
    print(f"{'rule':<40}{'docs':>6}{'right':>7}{'wrong':>7}")
    for rule, c in sorted(fired.items(), key=lambda x: -x[1]["docs"]):
        print(f"{rule:<40}{c['docs']:>6}{c['right']:>7}{c['wrong']:>7}")
    if lonely:
        print(f"\nrules of {', '.join(AUDITED)} that fire on at most one development document: {', '.join(lonely)}")
    return 1 if lonely else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", action="store_true", help="only the scores on ../shared/extraction-dev, both halves")
    ap.add_argument("--seed", type=int, default=13, help="seed of the tune/check split of the real sets")
    ap.add_argument("--show", metavar="SET", help="with --real: print the misses of SET's tuning half")
    ap.add_argument("--limit", type=int, default=40, help="how many misses --show prints")
    ap.add_argument("--rules", action="store_true", help="rule audit: development documents each rule fires on")
    ap.add_argument("--quality", action="store_true", help="only the dev-set scores")
    ap.add_argument("--speed", action="store_true", help="only the throughput")
    ap.add_argument("--articles", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--errors", action="store_true", help="print the dev-set misses")
    ap.add_argument("--devset", type=Path, default=DEVSET, help="gold JSONL (default tests/data/extract_devset.jsonl)")
    args = ap.parse_args()
    if args.rules:
        sys.exit(report_rules())
    if args.real:
        report_real(args.seed, args.show, args.limit)
        return
    if not args.speed:
        scores, preds = evaluate(args.devset)
        print(f"{'relation':<14}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")
        for rel, s in scores.items():
            if rel == "attributes":
                continue
            print(f"{rel:<14}{s['precision']:>7.2f}{s['recall']:>7.2f}{s['f1']:>7.2f}{s['tp']:>5}{s['fp']:>5}{s['fn']:>5}")
        print("attributes on found facts: " + ", ".join(
            f"{k} {v['right']}/{v['right'] + v['wrong']}" for k, v in scores["attributes"].items()))
        if args.errors:
            for row in load_devset(args.devset):
                got = [(p["relation"], p["subject"], p["object"], p["status"], (p.get("amount") or {}).get("value"))
                       for p in preds[row["id"]]]
                want = [(g["relation"], g["subject"], g["object"], g.get("status", "reported"),
                         (g.get("amount") or {}).get("value")) for g in row["facts"]]
                if not all(any(fact_matches(p, g) for p in preds[row["id"]]) for g in row["facts"]) or \
                        len(got) > len(want):
                    print(f"\n{row['text']}\n  want {want}\n  got  {got}")
    if not args.quality:
        t = throughput(args.articles, args.repeat)
        print(f"\nthroughput: {t['articles']} articles of ~{t['avg_chars']} chars, {t['repeat']} runs: "
              f"median {t['median_s']} s = {t['articles_per_s']} articles/s (runs {t['runs_s']})")


if __name__ == "__main__":
    main()
