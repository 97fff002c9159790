"""The Gradio web chat (mounted at / by bot.web.app). Components are built here; the
answer logic is the same PolicyBot every other surface uses."""

from __future__ import annotations

import functools
import html
import inspect
import logging

import gradio as gr

from bot.answer.service import PolicyBot
from bot.errors import FeedbackUnavailable, InvalidQuestion, StoreError
from bot.web.feedback import FeedbackBudget, OverBudget
from bot.web.provider import BotProvider
from bot.web.render import PageText, answer_html, sources_html
from bot.web.sessions import bound
from bot.web.ui_stream import prior_turns, room_for_one_more, stream_reply

log = logging.getLogger(__name__)
AUTO = "自动识别"
CSS = """
#sources .badge { padding: 0 5px; border-radius: 3px; background: #e5e7eb; font-size: 12px; }
#sources .badge.draft { background: #fde68a; }
#sources blockquote { margin: 4px 0 10px; padding-left: 8px; border-left: 3px solid #d1d5db; color: #4b5563; }
#sources .clause { font-size: 13px; color: #6b7280; }
.disclaimer { font-size: 13px; color: #6b7280; }
#chat table.answer-table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
#chat table.answer-table th, #chat table.answer-table td { border: 1px solid #d1d5db; padding: 3px 6px; vertical-align: top; }
#chat table.answer-table th { background: #f3f4f6; }
#sources details summary { cursor: pointer; color: #1d4ed8; font-size: 13px; }
"""


def page_text(bot: PolicyBot) -> PageText:
    return PageText.load(bot, bot.settings.knowledge_dir, bot.settings.prompts_dir)


def build_ui(provider: BotProvider, feedback, budget: FeedbackBudget | None = None) -> gr.Blocks:
    """The chat and 补贴测算 tabs; answers come from ``provider`` (the live index)."""
    bot = provider.current()
    regions = bot.model.regions.local()
    text = page_text(bot)
    examples = text.examples
    with gr.Blocks(title=text("title")) as demo:
        gr.Markdown(f"# {html.escape(text('title'))}\n{html.escape(text('tagline'))}")
        coverage = gr.Markdown(html.escape(text("coverage")), elem_classes=["coverage"], elem_id="coverage")
        notice = gr.Markdown(_notice(text), elem_classes=["disclaimer"])
        turns = gr.State([])  # one record per answer: question, answer (public JSON), page origin
        # The messages shown, kept on the server: the page never sends the chat back (with a
        # long answer in it, every next question was over the body limit)
        shown = gr.State([])
        with gr.Tabs():
            with gr.Tab("政策问答", id="chat-tab"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(label="对话", height=460, elem_id="chat", feedback_options=("Like", "Dislike"))
                        with gr.Row():
                            region = gr.Dropdown([AUTO, *regions], value=AUTO, label="地区（可选）", scale=1)
                            question = gr.Textbox(label="问题", placeholder=text.placeholder, scale=4,
                                                  max_lines=3, elem_id="question")
                            send = gr.Button("发送", variant="primary", scale=1, elem_id="send")
                        with gr.Row(elem_id="examples"):
                            example_buttons = [gr.Button(q, size="sm", visible=bool(q))
                                               for q in _padded(examples, MAX_EXAMPLES)]
                    with gr.Column(scale=2):
                        gr.Markdown("### 来源条款")
                        sources = gr.HTML(sources_html([], text("no_citations"), text("quote_toggle")), elem_id="sources")
            with gr.Tab("补贴测算", id="check-tab"):
                check_inputs, check_button, check_result, check_sources = _build_check_tab(regions)

        def respond(message: str, history: list, region_choice: str, records: list, request: gr.Request):
            message = (message or "").strip()
            if not message:
                return history, gr.update(), "", records
            history, records = room_for_one_more(history, records)
            try:
                answer = provider.ask(message, region=None if region_choice == AUTO else region_choice,
                                      history=prior_turns(records))
            except InvalidQuestion as exc:
                reply, panel = html.escape(str(exc)), gr.update()
                record = None
            except StoreError:
                reply, panel = "索引暂时不可用，请稍后再试。", gr.update()
                record = None
            else:
                reply = answer_html(answer, text("extractive_note"))
                panel = sources_html(answer.citations, text("no_citations"), text("quote_toggle"))
                origin = request.headers.get("origin") or request.headers.get("referer") if request else None
                record = {"question": message, "answer": answer.public(), "origin": origin}
            history = [*history, {"role": "user", "content": html.escape(message)},
                       {"role": "assistant", "content": reply}]
            records = [*records, record]
            return history, panel, "", records

        def respond_streaming(message: str, history: list, region_choice: str, records: list, request: gr.Request):
            region = None if region_choice == AUTO else region_choice
            yield from stream_reply(provider, message, history, region, records, request, text)

        handler = respond if bot.writer is None else respond_streaming  # tokens as they come with an LLM

        def on_like(data: gr.LikeData, records: list, request: gr.Request):
            index = data.index if isinstance(data.index, int) else data.index[0]
            turn = index // 2
            if turn >= len(records) or records[turn] is None:
                return
            record = records[turn]
            liked = data.liked if isinstance(data.liked, bool) else str(data.liked).lower() in ("like", "true")
            try:
                if budget is not None:
                    budget.spend(request.client.host if request and request.client else "unknown")
                feedback.add(helpful=liked, question=record["question"], answer=record["answer"]["answer"],
                             answerable=record["answer"]["answerable"], citations=record["answer"]["citations"],
                             region=record["answer"]["region"], page_origin=record["origin"], surface="web")
            except FeedbackUnavailable:
                gr.Warning("评价未能保存，请稍后再试。")  # the reason is in the server log, never here
            except OverBudget as exc:
                gr.Warning(str(exc).split(" / ")[0])

        handler = _shown_too(handler)
        outputs = [chatbot, sources, question, turns, shown]
        send.click(handler, [question, shown, region, turns], outputs, api_name=False)
        question.submit(handler, [question, shown, region, turns], outputs, api_name=False)
        for button in example_buttons:
            _bind_example(button, handler, [shown, region, turns], outputs)
        chatbot.like(on_like, [turns], None)

        def refresh():
            """What depends on the knowledge, as it is now: a document published (or removed)
            on the admin page shows in the coverage line, regions and examples on the next
            page load, without a restart."""
            now = page_text(provider.current())
            local = provider.current().model.regions.local()
            return [gr.update(value=html.escape(now("coverage"))), gr.update(value=_notice(now)),
                    gr.update(choices=[AUTO, *local]), gr.update(placeholder=now.placeholder),
                    gr.update(choices=local), gr.update(choices=[UNSURE, *local, "其他地区"]),
                    *(gr.update(value=q, visible=bool(q)) for q in _padded(now.examples, MAX_EXAMPLES))]

        demo.load(refresh, None, [coverage, notice, region, question, check_inputs[0], check_inputs[6],
                                  *example_buttons], api_name=False)

        def run_check(*values):
            profile = _profile_from_form(*values)
            if not profile.regions:
                return "请至少选择一个地区。", sources_html([])
            result = provider.current().check(profile)
            report, citations = result.report, result.citations
            return html.escape(report).replace("&gt;", ">").replace("&quot;", '"'), sources_html(citations)

        check_button.click(run_check, check_inputs, [check_result, check_sources], api_name=False)
    bound(demo)  # session capacity, queue size (bot/web/sessions.py)
    return demo


MAX_EXAMPLES = 8  # example buttons on the page (those beyond the knowledge's examples are hidden)


def _padded(examples: list[str], size: int) -> list[str]:
    return [*examples[:size], *[""] * max(0, size - len(examples))]


def _notice(text: PageText) -> str:
    return (text("draft_notice") + " " if text.drafts else "") + text("disclaimer")


def _shown_too(respond):
    """``respond`` with its chat messages output twice: to the Chatbot, and to the state
    the next turn reads them from."""
    if inspect.isgeneratorfunction(respond):
        @functools.wraps(respond)
        def streaming(*args, **kwargs):
            for out in respond(*args, **kwargs):
                yield (*out, out[0])

        return streaming

    @functools.wraps(respond)
    def once(*args, **kwargs):
        out = respond(*args, **kwargs)
        return (*out, out[0])

    return once


def _bind_example(button: gr.Button, respond, inputs: list, outputs: list) -> None:
    """Clicking an example asks it (the button's current label) at once."""

    def run(label, history, region_choice, records, request: gr.Request):
        return respond(label, history, region_choice, records, request)

    def run_streaming(label, history, region_choice, records, request: gr.Request):
        yield from respond(label, history, region_choice, records, request)

    if inspect.isgeneratorfunction(respond):
        run = run_streaming  # Gradio streams only from a generator function

    button.click(run, [button, *inputs], outputs, api_name=False)


UNSURE = "不确定"
COMPANY = {"新注册企业": "new", "首次达到规模以上": "first_above_scale", "已有企业": "existing", "暂无公司": "none"}
PLANS = {"上线播出": "上线", "作品出海": "出海", "技术研发": "研发", "举办展会论坛": "展会", "建设基地影棚": "建基地"}


def _build_check_tab(regions: list[str]):
    gr.Markdown("填写项目情况，逐条对照原文条款：哪些适用、哪些可能适用（需确认什么）、哪些不适用（卡在哪个条件）。"
                "不计算合计金额。")
    with gr.Row():
        with gr.Column():
            where = gr.CheckboxGroup(regions, label="拍摄 / 落户地区", elem_id="check-regions")
            genres = gr.CheckboxGroup(["古装", "都市", "本土题材", "其他"], label="题材")
            local = gr.Radio([UNSURE, "是", "否"], value=UNSURE, label="是否反映当地本土题材")
            share = gr.Slider(0, 100, value=0, step=5, label="在当地取景比例（%，0 表示不确定）")
            selected = gr.Dropdown([UNSURE, "国家广电总局", "国家级", "省级", "市级", "无"], value=UNSURE,
                                   label="剧本入选情况")
        with gr.Column():
            company = gr.Dropdown([UNSURE, *COMPANY], value=UNSURE, label="企业情况")
            registered = gr.Dropdown([UNSURE, *regions, "其他地区"], value=UNSURE, label="企业注册地")
            crew = gr.Number(value=None, label="剧组人数", precision=0)
            origin = gr.Textbox(label="剧组从哪里来（如 横店）")
            seekers = gr.Checkbox(label="有来求职、尚未进组的演职人员")
            needs = gr.CheckboxGroup(["住宿", "交通"], label="剧组需要")
            plans = gr.CheckboxGroup(list(PLANS), label="计划")
    button = gr.Button("开始测算", variant="primary", elem_id="check-run")
    result = gr.Markdown(elem_id="check-result")
    sources = gr.HTML(elem_id="check-sources")
    return [where, genres, local, share, selected, company, registered, crew, origin, seekers, needs, plans], \
        button, result, sources


def _profile_from_form(where, genres, local, share, selected, company, registered, crew, origin, seekers, needs,
                       plans):
    from bot.policy.eligibility import ProducerProfile

    return ProducerProfile(
        regions=list(where or []), genres=list(genres or []),
        local_theme=None if local == UNSURE else local == "是",
        shoot_share=int(share) if share else None,
        script_selected_by=None if selected == UNSURE else selected,
        company=COMPANY.get(company), registered_in=None if registered == UNSURE else registered,
        crew_size=int(crew) if crew else None, coming_from=(origin or "").strip() or None,
        job_seekers=True if seekers else None, needs=list(needs or []),
        plans=[PLANS[p] for p in plans or []],
    )
