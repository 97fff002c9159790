"""Eval reports: metrics.json, results.jsonl, report.md and PNG charts."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from evals.runner import LLM_METRIC_NAMES, METRIC_NAMES, ItemResult, check_gates

CJK_FONTS = ["Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC"]


def fmt(value) -> str:
    return "—" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def gate_text(bound: dict) -> str:
    """A gate as the reports show it (≥ 0.95, ≤ 0)."""
    return f"≥ {bound['min']}" if "min" in bound else f"≤ {bound['max']}" if "max" in bound else ""


def write_report(out: Path, results: list[ItemResult], by_split: dict[str, dict], gates: dict,
                 meta: dict) -> Path:
    """Write every report file into ``out``; returns the report.md path."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps({"meta": meta, "splits": by_split}, ensure_ascii=False, indent=1),
                                      encoding="utf-8")
    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(asdict(r) | {"passed": r.passed}, ensure_ascii=False) + "\n")
    charts = _charts(out, results, by_split["all"])
    splits = [s for s in by_split if s != "all"] or ["all"]
    lines = [f"# Eval report — {meta.get('run', '')}", "",
             f"Dataset `{meta.get('dataset')}`, backend `{meta.get('backend')}`, {len(results)} items, "
             f"wall time {meta.get('seconds', 0):.1f} s.", "",
             "| metric | " + " | ".join(splits) + " | gate |", "|---|" + "---|" * len(splits) + "---|"]
    for name in METRIC_NAMES:
        gate = gate_text(gates.get(name, {}))
        lines.append(f"| {name} | " + " | ".join(fmt(by_split[s].get(name)) for s in splits) + f" | {gate} |")
    lines.append("| latency p50 / p95 ms | " + " | ".join(
        f"{fmt(by_split[s]['latency_ms']['p50'])} / {fmt(by_split[s]['latency_ms']['p95'])}" for s in splits) + " | |")
    if "llm_sent" in by_split["all"]:
        lines += [f"| {name} | " + " | ".join(fmt(by_split[s].get(name)) for s in splits) + " | |"
                  for name in LLM_METRIC_NAMES]
        lines.append("| LLM latency p50 / p95 ms | " + " | ".join(
            f"{fmt(by_split[s]['llm_latency_ms']['p50'])} / {fmt(by_split[s]['llm_latency_ms']['p95'])}"
            for s in splits) + " | |")
        lines += ["", "LLM guard problems (items): " + (", ".join(
            f"{k} {v}" for k, v in by_split["all"]["llm_problems"].items()) or "none")]
    lines += ["", "## Gates", ""]
    for s in splits:
        failures = check_gates(by_split[s], gates)
        lines.append(f"- **{s}**: " + ("all gates hold" if not failures else "; ".join(failures)))
    lines += ["", "## Stage latency (all items, ms)", "", "| stage | p50 | p95 |", "|---|---|---|"]
    for stage, v in by_split["all"]["stage_latency_ms"].items():
        lines.append(f"| {stage} | {fmt(v['p50'])} | {fmt(v['p95'])} |")
    lines += ["", "## Failure reasons", "", "| reason | items |", "|---|---|"]
    for reason, n in by_split["all"]["failure_reasons"].items():
        lines.append(f"| {reason} | {n} |")
    lines += ["", "## Charts", ""] + [f"![{c.stem}]({c.name})" for c in charts]
    lines += ["", "## Failed items", ""]
    for r in results:
        if not r.passed:
            lines.append(f"- `{r.id}` ({r.kind}, {r.region or '—'}) {r.question} — {'; '.join(r.reasons)}")
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _add_packaged_font(font_manager) -> None:
    """Noto Sans SC ships in a PyPI package (pylopdf-fonts-zh-cn, OFL), so charts show
    Chinese on a fresh machine with no system font installed."""
    try:
        import pylopdf_fonts_zh_cn

        font_manager.fontManager.addfont(str(pylopdf_fonts_zh_cn.sans_path()))
    except (ImportError, OSError, RuntimeError):
        pass  # fall back to whatever CJK font the system has


def _charts(out: Path, results: list[ItemResult], overall: dict) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    _add_packaged_font(font_manager)
    installed = {f.name for f in font_manager.fontManager.ttflist}
    if not installed & set(CJK_FONTS):
        # A CJK font installed after matplotlib built its cache is not in the cache yet.
        for path in font_manager.findSystemFonts():
            if "wqy" in path.lower() or "noto" in path.lower() and "cjk" in path.lower():
                font_manager.fontManager.addfont(path)
        installed = {f.name for f in font_manager.fontManager.ttflist}
    plt.rcParams["font.sans-serif"] = [f for f in CJK_FONTS if f in installed] + ["DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    paths = []
    for key, title, name in [("accuracy_by_kind", "各类问题准确率 (accuracy by kind)", "accuracy_by_kind.png"),
                             ("accuracy_by_region", "各地区准确率 (accuracy by region)", "accuracy_by_region.png")]:
        groups = overall[key]
        labels = list(groups)
        fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(labels) + 2), 4))
        bars = ax.bar(labels, [groups[g]["accuracy"] for g in labels], color="#3b7dd8")
        for bar, label in zip(bars, labels, strict=True):
            ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + 0.01, f"n={groups[label]['n']}",
                    ha="center", fontsize=8)
        ax.set_ylim(0, 1.1)
        ax.set_title(title)
        ax.set_ylabel("通过率 pass rate")
        plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
        fig.tight_layout()
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        paths.append(out / name)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist([r.latency_ms for r in results], bins=30, color="#5aa469")
    ax.set_title("回答延迟分布 (answer latency)")
    ax.set_xlabel("毫秒 ms")
    ax.set_ylabel("问题数 items")
    fig.tight_layout()
    fig.savefig(out / "latency_histogram.png", dpi=110)
    plt.close(fig)
    paths.append(out / "latency_histogram.png")
    return paths


def compare(a: dict, b: dict) -> list[tuple[str, str, object, object, object]]:
    """(split, metric, A, B, B − A) for every metric both runs have."""
    rows = []
    for split in a.get("splits", {}):
        if split not in b.get("splits", {}):
            continue
        ma, mb = a["splits"][split], b["splits"][split]
        names = METRIC_NAMES + [n for n in LLM_METRIC_NAMES if n in ma or n in mb]
        for name in names:
            va, vb = ma.get(name), mb.get(name)
            delta = vb - va if isinstance(va, float | int) and isinstance(vb, float | int) else None
            rows.append((split, name, va, vb, delta))
        for q in ("p50", "p95"):
            va, vb = ma["latency_ms"][q], mb["latency_ms"][q]
            rows.append((split, f"latency {q} ms", va, vb, None if va is None or vb is None else vb - va))
    return rows


def side_by_side(runs: dict[str, dict], split: str) -> tuple[list[str], list[list[str]]]:
    """Metrics of several composers' runs on the same items: header and rows (metric,
    then one value per run), latency and the LLM guard counts included."""
    names = list(runs)
    metrics = {name: run["splits"].get(split, run["splits"]["all"]) for name, run in runs.items()}
    rows = [[m, *(fmt(metrics[n].get(m)) for n in names)] for m in METRIC_NAMES]
    for q in ("p50", "p95"):
        rows.append([f"latency {q} ms", *(fmt(metrics[n]["latency_ms"][q]) for n in names)])
    rows += [[m, *(fmt(metrics[n].get(m)) for n in names)] for m in LLM_METRIC_NAMES]
    for q in ("p50", "p95"):
        rows.append([f"LLM latency {q} ms", *(fmt((metrics[n].get("llm_latency_ms") or {}).get(q)) for n in names)])
    return ["metric", *names], rows


def write_side_by_side(out: Path, runs: dict[str, dict], split: str) -> Path:
    header, rows = side_by_side(runs, split)
    lines = [f"# Composers side by side — split {split}", "", "| " + " | ".join(header) + " |",
             "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]
    path = out / "compare.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
