"""Measure onboarding (issue 10) on the two unseen documents and the shipped five.

For each unseen document (``county-measures.docx``, ``city-guide.html``): copy the
checkout's ``knowledge/`` to a temporary folder, run `bot add` there (the service, no
hand edits), index incrementally, then

* ask its questions (``*.questions.jsonl``, scored by ``evals.runner``) → pass rate;
* compare the drafted measures with the hand count (``*.measures.yaml``) → precision and
  recall, matched by clause and amount (see :func:`match_rows`);
* time file → first correct answer (add + index + asking until one passes).

Then re-draft the five shipped documents' measures with the same extractor and compare
with the reviewed ``knowledge/measures.yaml``. The checkout is never written to.

    python evals/onboarding/measure.py [--out evals/reports/onboarding.json] [--only county]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
import time
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT, Settings, apply_offline_env
from bot.ingest.detect import OnboardingWords
from bot.ingest.load import load_documents
from bot.ingest.split import split_document
from bot.policy.draft import draft
from bot.policy.model import SubsidyMeasure, load_rows
from bot.policy.topics import TopicBook

HERE = Path(__file__).resolve().parent
DOCUMENTS = {"county": "county-measures.docx", "city": "city-guide.html", "district": "district-notice.md",
             "county2": "county-notice2.txt"}
# round 3 (issue 20): eight documents by writers who never saw the code, each with a
# ``.meta.yaml`` hand record of its fields and its split; measured by split (``--split``)
ROUND3 = HERE / "round3"
ORIGINAL = (".docx", ".pdf", ".html", ".md", ".txt")


def round3_documents() -> dict[str, tuple[Path, dict]]:
    """name → (file as published, hand-recorded meta) for the round-3 documents."""
    out = {}
    for meta_file in sorted(m for folder in (ROUND3, HERE / "round4", HERE / "round5") for m in folder.glob("*.meta.yaml")):
        stem = meta_file.name.removesuffix(".meta.yaml")
        meta = yaml.safe_load(meta_file.read_text(encoding="utf-8"))
        # the published file; a .txt is published only where no other format is (the GB18030
        # county text, whose UTF-8 twin is ``.utf8.txt``)
        published = next(p for ext in ORIGINAL for p in [meta_file.parent / f"{stem}{ext}"] if p.exists())
        out[stem.split("-", 1)[0]] = (published, meta)
    return out


def _file(name: str) -> tuple[Path, dict | None]:
    if name in DOCUMENTS:
        return HERE / DOCUMENTS[name], None
    return round3_documents()[name]


def field_check(document, meta: dict | None, region_names: list[str] | None = None) -> dict:
    """The detected front matter against the hand record: field → [right?, detected, expected]."""
    if not meta:
        return {}
    def norm(v) -> str:
        return re.sub(r"[\s《》]", "", str(v or ""))
    rows = {"title": (document.title, meta.get("policy_title") or meta.get("title"),
                      [meta.get("title"), meta.get("policy_title")]),
            "issuer": (document.issuer, meta.get("issuer"), [meta.get("issuer")]),
            "doc_number": (document.doc_number, meta.get("doc_number"), [meta.get("doc_number")]),
            "date": (document.date, meta.get("date"), [meta.get("date")]),
            "status": (document.status.value, meta.get("status"), [meta.get("status")]),
            "region": ((region_names or [document.region_key])[0], meta.get("region"), [meta.get("region")])}
    out = {}
    for name, (got, want, accept) in rows.items():
        ok = any(norm(got) == norm(a) for a in accept if a is not None) or (want is None and not got)
        if name == "issuer" and want:
            ok = ok or norm(got) == norm(str(want).split("、")[0])
        out[name] = [ok, str(got or ""), str(want or "")]
    return out
# the figures that make an amount: money and shares (years, months and counts do not)
NUMBER = re.compile(r"\d+(?:\.\d+)?(?=\s*(?:万元|亿元|元|%|万|亿))")


def figures(text: str) -> set[str]:
    """The money and percentage figures of an amount; a hand count that lists a table's
    bare numbers before the unit ("3；8；18；32；80万元", or only the numbers, "10；25；50":
    the unit is printed in the table's header) gives each listed number."""
    found = set(NUMBER.findall(text or ""))
    parts = [p.strip() for p in re.split(r"[；;、]", text or "")]
    bare = {p for p in parts if re.fullmatch(r"\d+(?:\.\d+)?", p)}
    return found | bare if found or (bare and len(bare) == len(parts)) else found


def clause_key(label: str) -> str:
    """二（一）1 / 二(一)(1) → 二一1 (the hand count and the splitter write labels differently)."""
    return re.sub(r"[()（）\s]", "", label)


def match_rows(drafted: list[tuple[str, str]], reference: list[tuple[str, str]]) -> dict:
    """Precision and recall of drafted (clause, amount) pairs against a reference list.

    A reference row is found when the drafted rows of its clause state all its figures
    (a row without figures: when its clause has any drafted row). A drafted row is right
    when a reference row of its clause states its figures (without figures: when its
    clause has a reference row)."""
    by_clause: dict[str, list[str]] = {}
    for clause, amount in drafted:
        by_clause.setdefault(clause, []).append(amount)
    ref_by_clause: dict[str, list[str]] = {}
    for clause, amount in reference:
        ref_by_clause.setdefault(clause, []).append(amount)
    found, missed = 0, []
    for clause, amount in reference:
        mine = by_clause.get(clause, [])
        have = set().union(*(figures(a) for a in mine)) if mine else set()
        if mine and figures(amount) <= have:
            found += 1
        else:
            missed.append(f"{clause} {amount}")
    right, wrong = 0, []
    for clause, amount in drafted:
        refs = ref_by_clause.get(clause, [])
        if refs and (not figures(amount) or any(figures(amount) <= figures(r) for r in refs)):
            right += 1
        else:
            wrong.append(f"{clause} {amount}")
    return {"drafted": len(drafted), "reference": len(reference),
            "recall": found / len(reference) if reference else None,
            "precision": right / len(drafted) if drafted else None, "missed": missed, "extra": wrong}


def _hand_clause(row: dict, clauses) -> str:
    """The hand row's clause label; a text without clause numbers (a news report) is
    labelled by its paragraph's lead ("拍摄补贴方面"): then the clause holding its quote."""
    label = clause_key(str(row["clause"]))
    if any(clause_key(c.label) == label for c in clauses):
        return label
    quote = re.sub(r"\s+", "", str(row.get("quote") or ""))
    holder = next((c for c in clauses if quote and quote in re.sub(r"\s+", "", c.text)), None)
    return clause_key(holder.label) if holder else label


def _row_amount(m: SubsidyMeasure) -> str:
    return m.money


def onboard(name: str, base_data: Path, workdir: Path) -> dict:
    from bot.answer.service import PolicyBot
    from bot.onboard.add import add_document
    from evals import runner

    file, meta = _file(name)
    stem = file.name.split(".", 1)[0]
    knowledge = workdir / f"{name}-knowledge"
    data = workdir / f"{name}-data"
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge)
    shutil.copytree(base_data, data)
    items = runner.load_dataset(file.parent / f"{stem}.questions.jsonl")

    start = time.perf_counter()
    report = add_document(file, knowledge)
    added = time.perf_counter()
    bot = PolicyBot.build(Settings(knowledge_dir=knowledge, data_dir=data))
    indexed = time.perf_counter()
    source = report.document.source
    for item in items:  # the check items name the plain-text twin of the file
        item["docs"] = [source if d == f"{stem}.txt" else d for d in item.get("docs", [])]
    first_ok = None
    results, by_split = runner.run(bot, items)
    # file → first correct answer: asking in order until one passes (re-timed on its own)
    t0 = time.perf_counter()
    for item, result in zip(items, results, strict=True):
        if item["answerable"]:
            bot.ask(item["question"])
            if result.passed:
                first_ok = item["id"]
                break
    first = time.perf_counter() - t0
    hand = yaml.safe_load((file.parent / f"{stem}.measures.yaml").read_text(encoding="utf-8"))
    drafted = [(clause_key(m.clause_id.split(":", 1)[1]), _row_amount(m)) for m in report.drafted.measures]
    reference = [(_hand_clause(h, report.clauses), str(h["amount"])) for h in hand]
    hand_sites = yaml.safe_load((file.parent / f"{stem}.sites.yaml").read_text(encoding="utf-8")) or []
    site_names = {s.name for s in report.drafted.sites}
    return {
        "document": report.document.id, "file": file.name, "status": report.document.status.value,
        "region": report.document.region_key, "passed": sum(r.passed for r in results), "questions": len(results),
        "pass_rate": by_split["all"]["item_accuracy"],
        "failures": {r.id: r.reasons for r in results if not r.passed},
        "answers": {r.id: r.answer for r in results if not r.passed},
        "fields": field_check(report.document, meta, report.region.names or [
            report.document.region.get("district") or report.document.region.get("city") or report.document.region_key]),
        "measures": match_rows(drafted, reference),
        "sites": {"drafted": len(report.drafted.sites), "reference": len(hand_sites),
                  "found": sum(s["name"] in site_names for s in hand_sites)},
        "seconds": {"add": added - start, "index": indexed - added, "first_answer": first,
                    "file_to_first_correct": (indexed - start) + first},
        "first_correct": first_ok,
    }


def shipped_redraft() -> dict:
    """The same extractor on the shipped documents vs the reviewed knowledge/measures.yaml."""
    knowledge = PROJECT_ROOT / "knowledge"
    words = OnboardingWords.load(knowledge)
    topics = TopicBook.load(knowledge / "topics.yaml")
    reviewed = load_rows(knowledge / "measures.yaml", SubsidyMeasure)
    drafted = []
    per_doc = {}
    for doc in load_documents(knowledge / "docs"):
        rows = draft(doc.id, split_document(doc), topics, words).measures
        drafted += [(m.clause_id, _row_amount(m)) for m in rows]
        mine = [(m.clause_id, m.money) for m in reviewed if m.doc_id == doc.id]
        per_doc[doc.id] = match_rows([(m.clause_id, _row_amount(m)) for m in rows], mine)
    total = match_rows(drafted, [(m.clause_id, m.money) for m in reviewed])
    return {"total": total, "per_document": {k: {x: v[x] for x in ("drafted", "reference", "precision", "recall")}
                                             for k, v in per_doc.items()}}


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    apply_offline_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the measurements as JSON here")
    parser.add_argument("--only", action="append", help="onboard only this document (a name of DOCUMENTS or "
                        "a round-3 prefix such as c2)")
    parser.add_argument("--split", choices=["dev", "test"], help="onboard the round-3 documents of this split")
    parser.add_argument("--brief", action="store_true", help="print scores only, no failing items (test split)")
    args = parser.parse_args(argv)
    names = list(args.only or [])
    if args.split:
        names += [k for k, (_, meta) in round3_documents().items() if meta.get("split") == args.split]
    from bot.answer.service import PolicyBot

    out: dict = {"shipped_redraft": shipped_redraft()}
    with tempfile.TemporaryDirectory(prefix="onboarding-") as tmp:
        workdir = Path(tmp)
        base_data = workdir / "base-data"
        t0 = time.perf_counter()
        PolicyBot.build(Settings(knowledge_dir=PROJECT_ROOT / "knowledge", data_dir=base_data))  # the deployment as it was
        out["base_index_seconds"] = time.perf_counter() - t0
        for name in names or sorted(DOCUMENTS):
            try:
                out[name] = onboard(name, base_data, workdir)
            except Exception as exc:  # a document `bot add` refuses is a result, not a crash
                out[name] = {"error": f"{type(exc).__name__}: {exc}"}
    text = json.dumps(out, ensure_ascii=False, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    summary = {k: v for k, v in out.items() if k != "shipped_redraft" and isinstance(v, dict) and k != "base_index_seconds"}
    for name, r in summary.items():
        if "error" in r:
            print(f"{name}: not added — {r['error']}")
            continue
        m = r["measures"]
        right = sum(v[0] for v in r["fields"].values())
        print(f"{name}: {r['passed']}/{r['questions']} questions; measures drafted {m['drafted']} vs hand "
              f"{m['reference']}: precision {_rate(m['precision'])} recall {_rate(m['recall'])}; sites "
              f"{r['sites']['found']}/{r['sites']['reference']}; file → first correct answer "
              f"{r['seconds']['file_to_first_correct']:.1f}s" + (f"; fields {right}/{len(r['fields'])}" if r["fields"] else ""))
        if args.brief:
            continue
        for field_name, (ok, got, want) in r["fields"].items():
            if not ok:
                print(f"  ✗ field {field_name}: {got!r} (hand: {want!r})")
        for item, reasons in r["failures"].items():
            print(f"  ✗ {item}: {'; '.join(reasons)}")
    total = out["shipped_redraft"]["total"]
    print(f"shipped re-draft: drafted {total['drafted']} vs reviewed {total['reference']}: "
          f"precision {total['precision']:.2f} recall {total['recall']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
