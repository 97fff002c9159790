"""Understanding a question before retrieval: regions, what it asks for, red flags.

Everything here is rules over data files in ``knowledge/`` (regions, English glossary):
deterministic, fast, and testable. The answer stage uses :class:`Question` to decide
whether the evidence really answers what was asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from bot.index.text import to_simplified

# What a question asks for. Order matters only for readability.
ASK_PATTERNS: dict[str, re.Pattern[str]] = {
    "amount": re.compile(
        r"(补|奖|给|拿|补助|补贴|补帖|奖励|资助)\S{0,2}多少|多少钱|多少元|多少万|金额|额度|标准是|奖励多少|补贴多少|补助多少|资助多少|补多少|奖多少|给多少|拿多少|"
        r"最高多少|最多多少|能拿|有多少钱|多少补贴|多少奖励|how much|amount|money|what .*(subsid|reward|grant)"
    ),
    "ratio": re.compile(r"比例|百分之|几成|百分比|percent|ratio|share of"),
    "deadline": re.compile(r"截止|截至日期|deadline|最晚|什么时候申报|何时申报|申报时间|申请时间|报名时间|几号前|哪天前|申报期"),
    "date": re.compile(r"哪天|哪一天|什么时候|何时|哪一年|哪年|日期|几月|几号|when|what date|which year"),
    "form": re.compile(r"申请表|表格|下载|模板|申报书|附件|网址|网站|链接|二维码|小程序|form\b|download|template|website|url|link"),
    "contact": re.compile(r"电话|联系方式|联系人|邮箱|热线|微信号|手机号|phone|email|e-mail|contact|hotline"),
    "address": re.compile(r"地址|门牌|办公地点|办公时间|几点上班|营业时间|address|opening hours|office hours"),
    "process": re.compile(r"流程|怎么申请|如何申请|怎么申报|如何申报|怎么办理|如何办理|需要什么材料|哪些材料|申请材料|how (do|can|to) (i |we )?apply|procedure|application process"),
    "location": re.compile(r"哪里|在哪|哪个片区|哪个区|什么地方|什么地点|地点|位置|原来是|where|which area|located"),
    "count": re.compile(r"多少个|多少部|多少家|多少名|多少人|多少套|多少辆|多少亩|几个|几部|几家|几名|几天|多少天|多大|多少平方|面积|规模多大|多大规模|规模有多大|多少亿|how many|how large|how big|how long"),
    "list": re.compile(r"哪些|有什么|有啥|什么样|都有|包括|which|what are|what kinds"),
    "status": re.compile(r"正式|生效|有效期|草案|草稿|征求意见|施行|算数|过期|draft|in force|valid|effective|official"),
    "condition": re.compile(r"条件|要求|门槛|符合|资格|才能|需要满足|前提|eligib|condition|requirement|qualif"),
    "duration": re.compile(r"多久|多长时间|多长|几年|期限|频率|how long|how often"),
    "support": re.compile(r"补贴|补助|补帖|奖励|资助|扶持|支持|奖补|优惠|subsid|grant|reward|support|incentive"),
    "office": re.compile(r"找谁|哪个部门|谁负责|向谁|去哪办|找哪里|找哪个|对接|who (do|should) (i|we) (contact|ask)"),
    "compare": re.compile(r"区别|不同|对比|比较|相比|哪个好|哪里好|分别|compare|difference|versus|\bvs\b"),
}

INJECTION = re.compile(
    r"(忽略|无视|忘记|忘掉|跳过|覆盖).{0,8}(指令|指示|规则|设定|提示|要求|限制|以上|之前|前面)|"
    r"(系统|内部|隐藏|原始|初始).{0,4}(提示|指令|设定|规则|prompt)|提示词|提示语|提示模板|prompt|"
    r"(输出|打印|显示|告诉我|透露|泄露|复述|重复|发给我|贴出).{0,12}(指令|规则|设定|模板|配置|上面的|以上内容|全部内容)|"
    r"开发者模式|越狱|jailbreak|\bdan\b|developer mode|扮演.{0,10}(没有|不受).{0,6}(限制|约束)|"
    r"ignore (all |the )?(previous|prior|above)|disregard|system message|instructions?\b.{0,20}(above|previous|reveal|print|show)|"
    r"(reveal|print|show|repeat|output).{0,30}(instruction|prompt|rules|above|configuration)|"
    r"base64|<\s*script|javascript:|make up|fabricate|invent (some|the|subsid|amount|number)|编造|瞎编|随便编|凭空|"
    r"(不要|别|不用|无需)(再)?(引用|注明|标注)(来源|出处|文件)?|don'?t cite|without (citing|sources)|pretend (you|to)|假装你",
    re.IGNORECASE,
)

# Words that show a question is about the domain at all.
DOMAIN = re.compile(
    r"短剧|影视|剧组|剧本|拍摄|拍戏|取景|片场|基地|园区|补贴|补助|奖励|资助|扶持|政策|优惠|演员|演职|编剧|导演|"
    r"出海|译制|版权|播出|播放|发行|发证|备案|立项|审查|产业|企业|公司|落户|注册|人才|就业|住宿|交通|征求意见|"
    r"措施|计划|方案|基金|展会|论坛|ip|场景|工厂|商业街|片区|医院|投资|规模|文旅|非遗|科普|创作|作品|"
    r"subsid|film|shoot|drama|studio|crew|script|policy|polic|grant|reward|incentive|fund|actor|overseas|"
    r"location|company|base|plan|talent|broadcast",
    re.IGNORECASE,
)


# A place named as where someone comes from ("从横店过来", "横店到衢江") is not the region
# whose policy is asked about.
ORIGIN_BEFORE = re.compile(r"(从|来自|由)\s*$")
ORIGIN_AFTER = re.compile(r"\s*(过来|来的|出发|到|至|往返)")


@dataclass(frozen=True)
class RegionBook:
    """Covered regions with aliases / parents / labels, region groups, uncovered places."""

    aliases: dict[str, str]  # alias (lowercase) → region key
    landmarks: dict[str, str]  # landmark (lowercase) → region key
    parents: dict[str, tuple[str, ...]]
    labels: dict[str, str]
    groups: dict[str, tuple[str, ...]]
    uncovered: frozenset[str]

    @classmethod
    def load(cls, path: Path) -> RegionBook:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        aliases, landmarks, parents, labels = {}, {}, {}, {}
        for key, spec in data["covered"].items():
            labels[key] = spec.get("label", key)
            parents[key] = tuple(spec.get("parents", []))
            for alias in [key, *spec.get("aliases", [])]:
                aliases[str(alias).lower()] = key
            for landmark in spec.get("landmarks", []):
                landmarks[str(landmark).lower()] = key
        groups = {str(k).lower(): tuple(v) for k, v in (data.get("groups") or {}).items()}
        uncovered = frozenset(str(p).lower() for p in data.get("uncovered", []))
        return cls(aliases, landmarks, parents, labels, groups, uncovered)

    def covered(self) -> str:
        """"衢江区（浙江衢州）、平原示范区（…征求意见稿）…": what users can ask about."""
        return "、".join(label for key, label in self.labels.items() if key != "全国")

    def scope(self, region: str) -> list[str]:
        """Regions whose clauses may answer a question about ``region``: itself, the
        regions containing it and the regions inside it — never a sibling."""
        children = [r for r, ps in self.parents.items() if region in ps]
        return [region, *self.parents.get(region, ()), *children]


@dataclass
class Question:
    """A user question, normalised and analysed."""

    original: str
    text: str  # simplified Chinese, NFKC
    topic: str = ""  # text without place names (the region filter covers them)
    expansions: list[str] = field(default_factory=list)  # search words: glossary, typo fixes
    regions: list[str] = field(default_factory=list)  # covered regions named, most specific first
    uncovered: list[str] = field(default_factory=list)  # places named that no document covers
    asks: set[str] = field(default_factory=set)
    injection: bool = False
    on_topic: bool = True
    english: bool = False

    @property
    def region(self) -> str | None:
        return self.regions[0] if self.regions else None

    @property
    def search_text(self) -> str:
        return " ".join([self.text, *self.expansions])

    @property
    def topic_text(self) -> str:
        return " ".join([self.topic, *self.expansions])


class QuestionAnalyzer:
    """Turns raw user text into a :class:`Question` using the knowledge data files."""

    def __init__(self, knowledge_dir: Path) -> None:
        self.regions = RegionBook.load(knowledge_dir / "regions.yaml")
        glossary = yaml.safe_load((knowledge_dir / "glossary.yaml").read_text(encoding="utf-8"))
        colloquial = glossary.pop("colloquial", {}) or {}
        self.glossary = {str(k).lower(): str(v) for k, v in glossary.items()}
        self.colloquial = {str(k): str(v) for k, v in colloquial.items()}
        names = sorted(
            [*self.regions.aliases, *self.regions.groups, *self.regions.uncovered], key=len, reverse=True
        )
        self._place_re = re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE)
        self._landmark_re = re.compile(
            "|".join(re.escape(n) for n in sorted(self.regions.landmarks, key=len, reverse=True)), re.IGNORECASE
        )

    def analyze(self, raw: str, region_hint: str | None = None) -> Question:
        text = to_simplified(raw).strip()
        lowered = text.lower()
        english = bool(re.search(r"[a-z]{3,}", lowered)) and not re.search(r"[\u4e00-\u9fff]{4,}", text)
        expansions = [zh for en, zh in self.glossary.items() if re.search(rf"\b{re.escape(en)}", lowered)]
        expansions += [formal for word, formal in self.colloquial.items() if word in text]
        expansions = list(dict.fromkeys(expansions))
        regions, uncovered = self._places(lowered)
        if region_hint and region_hint in self.regions.labels and region_hint not in regions:
            regions.insert(0, region_hint)
        asks = {name for name, pattern in ASK_PATTERNS.items() if pattern.search(lowered)}
        if "deadline" in asks:
            asks.discard("date")
        on_topic = bool(DOMAIN.search(lowered) or regions or expansions)
        return Question(
            original=raw,
            text=text,
            topic=self.strip_places(text),
            expansions=expansions,
            regions=regions,
            uncovered=uncovered,
            asks=asks,
            injection=bool(INJECTION.search(lowered)),
            on_topic=on_topic,
            english=english,
        )

    def strip_places(self, text: str) -> str:
        """``text`` without region / place names."""
        return re.sub(r"\s+", " ", self._place_re.sub(" ", text)).strip()

    def _places(self, lowered: str) -> tuple[list[str], list[str]]:
        regions: list[str] = []
        uncovered: list[str] = []
        for m in self._place_re.finditer(lowered):
            name = m.group(0).lower()
            if ORIGIN_BEFORE.search(lowered[: m.start()]) or ORIGIN_AFTER.match(lowered[m.end():]):
                continue  # "从横店过来的演员": where people come from, not the region asked about
            if name in self.regions.aliases:
                key = self.regions.aliases[name]
                if key not in regions:
                    regions.append(key)
            elif name in self.regions.groups:
                regions.extend(r for r in self.regions.groups[name] if r not in regions)
            elif name not in uncovered:
                uncovered.append(name)
        for m in self._landmark_re.finditer(lowered):
            key = self.regions.landmarks[m.group(0).lower()]
            if key not in regions:
                regions.append(key)
        # A specific region makes the generic ones (全国, the province) context, not the topic.
        specific = [r for r in regions if r != "全国"]
        if specific:
            regions = specific
            inner = [r for r in regions if self.regions.parents.get(r)]
            regions = inner + [r for r in regions if r not in inner]
        return regions, uncovered


@lru_cache(maxsize=4)
def get_analyzer(knowledge_dir: Path) -> QuestionAnalyzer:
    return QuestionAnalyzer(knowledge_dir)
