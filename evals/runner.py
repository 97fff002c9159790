"""Run the bot over a dataset and score every item (`bot eval`).

Two item formats, one JSONL object per line (both may carry ``split``, ``notes``,
``history``):

* **golden**: ``id``, ``question``, ``kind``, ``region``, ``gold_clause_ids``, ``facts``,
  ``answerable``, optionally ``no_figure``;
* **check** (the blind set, ``../shared/tools/check_answers.py``'s format): ``id``, ``q``,
  ``kind``, ``docs`` (source file names), ``must`` / ``must_not`` (regexes),
  ``answerable``, optionally ``list_items`` (one regex per measure a complete list
  names), ``redirect`` (regexes a not-covered answer must point to), ``scenario``
  (``applies`` / ``not_applies`` regexes) and ``opening`` (a regex the answer's first
  sentence must match: the verdict stated first).

Bureaus can add their own file in either format.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import BotError, JsonlError
from bot.jsonl import read_jsonl
from evals import metrics

NEGATIVE_KINDS = {"unanswerable", "offtopic", "injection"}
NO_FIGURE_PHRASE = "没有写明具体金额"
METRIC_NAMES = [
    "hit@1", "hit@3", "hit@5", "recall@5", "mrr@10", "ndcg@10", "fact_recall", "citation_validity",
    "attribution", "numeric_hallucination", "negative_rejection", "false_refusal", "injection_resistance",
    "no_figure_honesty", "list_completeness", "flag_text_consistency", "redirect_correctness",
    "scenario_verdict_accuracy", "opening_verdict", "answer_check_failures", "item_accuracy",
]
# With an LLM composer (BOT_LLM / --backend): what became of its answers. Counts of items:
# written and passed the guard, replaced after failing it, replaced after an error or
# timeout, not sent (not covered, declined, scenario); and the pass rate of those sent.
LLM_METRIC_NAMES = ["llm_sent", "llm_guard_pass", "llm_guard_fallback", "llm_error_fallback", "llm_skipped",
                    "llm_guard_pass_rate"]


class DatasetError(BotError, ValueError):
    """The dataset file is missing or malformed (message names file and line)."""


def load_dataset(path: Path, split: str | None = None) -> list[dict]:
    try:
        lines = read_jsonl(path)
    except JsonlError as exc:
        raise DatasetError(str(exc)) from exc
    items = []
    for n, item in lines:
        if "question" not in item and isinstance(item.get("q"), str):
            item["question"] = item["q"]
        missing = {"id", "question", "answerable"} - set(item)
        if missing:
            raise DatasetError(f"{path} line {n}: missing {', '.join(sorted(missing))}")
        item.setdefault("kind", "fact" if item["answerable"] else "unanswerable")
        item.setdefault("gold_clause_ids", [])
        item.setdefault("facts", [])
        item.setdefault("split", "all")
        items.append(item)
    if split and split != "all":
        items = [i for i in items if i["split"] == split]
    if not items:
        raise DatasetError(f"no items in {path}" + (f" for split {split!r}" if split else ""))
    return items


@dataclass
class ItemResult:
    id: str
    split: str
    kind: str
    region: str | None
    question: str
    answerable_expected: bool
    answerable: bool
    answer: str
    citations: list[dict]
    retrieval: dict[str, float] = field(default_factory=dict)
    fact_recall: float | None = None
    missing_facts: list[str] = field(default_factory=list)
    valid_citations: int = 0
    total_citations: int = 0
    attributed: bool | None = None
    hallucinated: list[str] = field(default_factory=list)
    leaked: bool = False
    no_figure_ok: bool | None = None
    list_completeness: float | None = None
    consistent: bool = True
    redirect_ok: bool | None = None
    scenario_accuracy: float | None = None
    opening_ok: bool | None = None  # items with an `opening` regex: the first sentence states it
    checks: list[str] = field(default_factory=list)  # the answer check stage's problems (bot/answer/check.py)
    latency_ms: float = 0.0
    timings_ms: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    composer: str = "extractive"  # who wrote the answer shown
    llm_outcome: str | None = None  # passed / guard_failed / error / skipped (an LLM backend is on)
    llm_problems: list[str] = field(default_factory=list)
    llm_text: str = ""  # what the model wrote (results.jsonl: review why it was replaced)

    @property
    def passed(self) -> bool:
        return not self.reasons


def score_item(item: dict, answer: dict, ranked: list[str], sources: dict[str, str],
               prompt_texts: list[str], source_files: dict[str, str] | None = None) -> ItemResult:
    """Score one bot answer (the public JSON dict plus timings) against its item.
    ``source_files`` maps document ids to the original file names check items name."""
    cites = answer.get("citations", [])
    r = ItemResult(
        id=item["id"], split=item.get("split", "all"), kind=item["kind"], region=item.get("region"),
        question=item["question"], answerable_expected=item["answerable"], answerable=bool(answer["answerable"]),
        answer=answer["answer"], citations=cites, latency_ms=float(answer.get("latency_ms", 0.0)),
        timings_ms=answer.get("timings_ms", {}),
    )
    if r.answerable != r.answerable_expected:
        r.reasons.append("false refusal" if r.answerable_expected else "answered a negative")
    if item["answerable"]:
        if item["gold_clause_ids"]:
            r.retrieval = metrics.retrieval_scores(ranked, item["gold_clause_ids"])
            if not r.retrieval["hit@5"]:
                r.reasons.append("gold clause not retrieved in top 5")
        r.fact_recall = metrics.fact_recall(item["facts"], r.answer)
        r.missing_facts = [f for f in item["facts"] if not metrics.fact_present(f, r.answer)]
        if r.missing_facts:
            r.reasons.append("missing facts: " + "、".join(r.missing_facts))
        r.attributed = metrics.attributed(cites, item["gold_clause_ids"])
        if r.answerable and not r.attributed:
            r.reasons.append("cites no gold clause")
        r.hallucinated = metrics.numeric_hallucinations(r.answer, [c.get("quote", "") for c in cites])
        if r.hallucinated:
            r.reasons.append("unsupported figures: " + "、".join(r.hallucinated))
    if item.get("no_figure"):
        r.no_figure_ok = NO_FIGURE_PHRASE in r.answer
        if not r.no_figure_ok:
            r.reasons.append("does not say the text sets no figure")
    if "must" in item:
        _score_check_item(item, r, source_files or {})
    r.consistent = metrics.flag_text_consistent(r.answer, r.answerable)
    if not r.consistent:
        r.reasons.append("flag and wording disagree")
    r.valid_citations, r.total_citations = metrics.citation_validity(cites, sources)
    if r.valid_citations < r.total_citations:
        r.reasons.append("invalid citation quote")
    if item["kind"] == "injection":
        r.leaked = metrics.leaks_prompt(r.answer, prompt_texts)
        if r.leaked:
            r.reasons.append("leaks prompt text")
    return r


def _score_check_item(item: dict, r: ItemResult, source_files: dict[str, str]) -> None:
    """The check format: regexes, expected documents, list / redirect / scenario shape."""
    for pattern in item.get("must", []):
        if not metrics.pattern_found(pattern, r.answer):
            r.reasons.append(f"must /{pattern[:40]}/ not matched")
    for pattern in item.get("must_not", []):
        if metrics.pattern_found(pattern, r.answer):
            r.reasons.append(f"must_not /{pattern[:40]}/ matched")
    docs = set(item.get("docs", []))
    if item["answerable"] and docs and r.answerable:
        cited = {source_files.get(c.get("doc_id", ""), "") for c in r.citations}
        r.attributed = bool(cited & docs)
        if not r.attributed:
            r.reasons.append("cites none of the expected documents")
    if item.get("list_items"):
        r.list_completeness = metrics.list_completeness(item["list_items"], r.answer)
        if r.list_completeness < 1.0:
            r.reasons.append(f"list incomplete ({r.list_completeness:.2f})")
    if item.get("redirect"):
        r.redirect_ok = metrics.redirect_correct(item["redirect"], r.answer, r.answerable)
        if not r.redirect_ok:
            r.reasons.append("no redirect to the regions that cover it")
    if item.get("opening"):
        r.opening_ok = metrics.opening_verdict(item["opening"], r.answer, r.answerable)
        if not r.opening_ok:
            r.reasons.append("opening does not state the verdict")
    if item.get("scenario"):
        s = item["scenario"]
        r.scenario_accuracy = metrics.scenario_accuracy(s.get("applies", []), s.get("not_applies", []), r.answer)
        if r.scenario_accuracy < 1.0:
            r.reasons.append(f"scenario verdicts wrong ({r.scenario_accuracy:.2f})")


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def aggregate(results: list[ItemResult]) -> dict:
    """Every metric of the eval over a list of item results."""
    answerable = [r for r in results if r.answerable_expected]
    negatives = [r for r in results if not r.answerable_expected]
    injections = [r for r in results if r.kind == "injection"]
    with_gold = [r for r in answerable if r.retrieval]
    no_figure = [r for r in results if r.no_figure_ok is not None]
    out: dict = {"items": len(results), "answerable_items": len(answerable), "negative_items": len(negatives)}
    for key in ["hit@1", "hit@3", "hit@5", "recall@5", "mrr@10", "ndcg@10"]:
        out[key] = _mean([r.retrieval[key] for r in with_gold])
    out["fact_recall"] = _mean([r.fact_recall for r in answerable if r.fact_recall is not None])
    valid = sum(r.valid_citations for r in results)
    total = sum(r.total_citations for r in results)
    out["citation_validity"] = metrics.rate(valid, total) if total else 1.0
    out["attribution"] = _mean([1.0 if r.attributed else 0.0 for r in answerable if r.answerable])
    out["numeric_hallucination"] = metrics.rate(sum(bool(r.hallucinated) for r in answerable), len(answerable))
    out["negative_rejection"] = metrics.rate(sum(not r.answerable for r in negatives), len(negatives))
    out["false_refusal"] = metrics.rate(sum(not r.answerable for r in answerable), len(answerable))
    out["injection_resistance"] = metrics.rate(
        sum((not r.answerable) and not r.leaked for r in injections), len(injections))
    out["no_figure_honesty"] = metrics.rate(sum(bool(r.no_figure_ok) for r in no_figure), len(no_figure))
    out["list_completeness"] = _mean([r.list_completeness for r in results if r.list_completeness is not None])
    out["flag_text_consistency"] = metrics.rate(sum(r.consistent for r in results), len(results))
    redirects = [r for r in results if r.redirect_ok is not None]
    out["redirect_correctness"] = metrics.rate(sum(bool(r.redirect_ok) for r in redirects), len(redirects))
    out["scenario_verdict_accuracy"] = _mean([r.scenario_accuracy for r in results if r.scenario_accuracy is not None])
    out["answer_check_failures"] = metrics.rate(sum(bool(r.checks) for r in results), len(results))
    openings = [r for r in results if r.opening_ok is not None]
    out["opening_verdict"] = metrics.rate(sum(bool(r.opening_ok) for r in openings), len(openings))
    out["item_accuracy"] = metrics.rate(sum(r.passed for r in results), len(results))
    latencies = [r.latency_ms for r in results]
    out["latency_ms"] = {"p50": metrics.percentile(latencies, 50), "p95": metrics.percentile(latencies, 95)}
    stages: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for stage, value in r.timings_ms.items():
            stages[stage].append(value)
    out["stage_latency_ms"] = {
        stage: {"p50": metrics.percentile(v, 50), "p95": metrics.percentile(v, 95)} for stage, v in sorted(stages.items())
    }
    out["accuracy_by_kind"] = _accuracy_by(results, lambda r: r.kind)
    out["accuracy_by_region"] = _accuracy_by(results, lambda r: r.region or "—")
    out["failure_reasons"] = dict(Counter(reason.split(":")[0] for r in results for reason in r.reasons).most_common())
    if any(r.llm_outcome for r in results):
        out |= _llm_metrics(results)
    return out


def _llm_metrics(results: list[ItemResult]) -> dict:
    outcomes = Counter(r.llm_outcome for r in results if r.llm_outcome)
    sent = outcomes["passed"] + outcomes["guard_failed"] + outcomes["error"]
    llm_ms = [r.timings_ms["llm_ms"] for r in results if "llm_ms" in r.timings_ms]
    kinds = [dict.fromkeys(re.sub(r"\d+", "n", p.split(":")[0]) for p in r.llm_problems) for r in results]
    problems = Counter(kind for item in kinds for kind in item)
    return {"llm_sent": sent, "llm_guard_pass": outcomes["passed"], "llm_guard_fallback": outcomes["guard_failed"],
            "llm_error_fallback": outcomes["error"], "llm_skipped": outcomes["skipped"],
            "llm_guard_pass_rate": metrics.rate(outcomes["passed"], sent) if sent else None,
            "llm_latency_ms": {"p50": metrics.percentile(llm_ms, 50), "p95": metrics.percentile(llm_ms, 95)},
            "llm_problems": dict(problems.most_common())}


def _accuracy_by(results: list[ItemResult], key: Callable[[ItemResult], str]) -> dict[str, dict]:
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        groups[key(r)].append(r)
    return {name: {"n": len(rs), "accuracy": sum(r.passed for r in rs) / len(rs)} for name, rs in sorted(groups.items())}


def run(bot, items: list[dict], progress: Callable[[], None] | None = None) -> tuple[list[ItemResult], dict]:
    """Ask every item and score it. Returns the item results and metrics per split."""
    sources = {d.id: d.body for d in bot.corpus.documents}
    source_files = {d.id: d.source for d in bot.corpus.documents}
    prompt_texts = [p.read_text(encoding="utf-8") for p in sorted(bot.settings.prompts_dir.glob("*")) if p.is_file()]
    results = []
    for item in items:
        answer = bot.ask(item["question"], id=item["id"], history=item.get("history"))
        payload = answer.public() | {"timings_ms": answer.timings_ms}
        payload["citations"] = [c.model_dump() for c in answer.citations]
        ranked = (bot.retrieve(item["question"], k=10, history=item.get("history"))
                  if item["answerable"] and item["gold_clause_ids"] else [])
        result = score_item(item, payload, ranked, sources, prompt_texts, source_files)
        result.composer = answer.composer
        result.checks = answer.checks
        if answer.generation:
            g = answer.generation
            result.llm_outcome, result.llm_problems, result.llm_text = g.outcome, g.problems, g.text
        results.append(result)
        if progress:
            progress()
    by_split: dict[str, dict] = {"all": aggregate(results)}
    for split in sorted({r.split for r in results}):
        if split != "all":
            by_split[split] = aggregate([r for r in results if r.split == split])
    return results, by_split


def load_gates(path: Path, section: str = "gates") -> dict[str, dict]:
    """One table of evals/gates.toml: ``[gates]`` (the golden set), ``[replies]`` (issue 17)."""
    return tomllib.loads(path.read_text(encoding="utf-8"))[section]


def load_blind_gates(path: Path) -> dict[str, dict[str, dict]]:
    """Per outsider dataset (file name under evals/datasets/), its test-half gates."""
    return tomllib.loads(path.read_text(encoding="utf-8")).get("blind", {})


def check_gates(metric_values: dict, gates: dict[str, dict]) -> list[str]:
    """Human-readable gate failures (empty list: every gate holds)."""
    failures = []
    for name, bound in gates.items():
        value = metric_values.get(name)
        if value is None:
            continue
        if "min" in bound and value < bound["min"] - 1e-9:
            failures.append(f"{name} = {value:.3f} < {bound['min']}")
        if "max" in bound and value > bound["max"] + 1e-9:
            failures.append(f"{name} = {value:.3f} > {bound['max']}")
    return failures
