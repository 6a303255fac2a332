"""Who approves a name, and so which bureau of the deployment takes each step of a naming
request. The level of government that approves each kind of name follows the 2022
Regulations on the Administration of Place Names (《地名管理条例》, State Council Decree
753), art. 12, by the name's category; a deployment edits the table where its province's
rules say otherwise (`naming_approval_rule`, through the API).

A request is prepared (review, submission for approval, rejection or withdrawal before
approval) by the bureau of the place's own unit or one above it, and its approval is
recorded, announced (art. 14) and filed (art. 13) by the bureau of the approving unit:
the unit at the approving level that contains the place. When that unit is above the
deployment (the province, the State Council), the served unit's bureau records the
decision it received.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import HomeUnit
from gis_service.audit import service as audit
from gis_service.auth import jurisdiction
from gis_service.auth.models import AppUser
from gis_service.core.errors import NotFound

# the levels of government that approve names
LEVELS = ("state", "province", "city", "county_or_city", "county")


@dataclass(frozen=True)
class ApprovalRule:
    level: str
    basis_zh: str
    basis_en: str


# category code (placenames/data/categories.csv, matched by its longest prefix) -> rule
DEFAULT_RULES: dict[str, ApprovalRule] = {
    "1": ApprovalRule(
        "province",
        "《地名管理条例》第十二条第（一）项：其他自然地理实体按照省、自治区、直辖市人民政府的规定批准"
        "（国内著名或者涉及两个省级行政区域以上的，报国务院批准）",
        "Art. 12(1): natural features as the province rules (famous ones, or those of two provinces or more, "
        "by the State Council)",
    ),
    "21": ApprovalRule(
        "state",
        "《地名管理条例》第十二条第（二）项：行政区划按照《行政区划管理条例》批准（省级行政区域名称由全国人民代表大会决定）",
        "Art. 12(2): administrative divisions under the Regulations on Administrative Divisions "
        "(a province's name by the National People's Congress)",
    ),
    "22": ApprovalRule(
        "state",
        "《地名管理条例》第十二条第（二）项：行政区划按照《行政区划管理条例》批准（地级由国务院批准）",
        "Art. 12(2): administrative divisions under the Regulations on Administrative Divisions "
        "(prefecture level by the State Council)",
    ),
    "23": ApprovalRule(
        "state",
        "《地名管理条例》第十二条第（二）项：行政区划按照《行政区划管理条例》批准（县级由国务院批准）",
        "Art. 12(2): administrative divisions under the Regulations on Administrative Divisions "
        "(county level by the State Council)",
    ),
    "24": ApprovalRule(
        "province",
        "《地名管理条例》第十二条第（二）项：行政区划按照《行政区划管理条例》批准（乡级由省级人民政府批准）",
        "Art. 12(2): administrative divisions under the Regulations on Administrative Divisions "
        "(township level by the province)",
    ),
    "3": ApprovalRule(
        "county",
        "《地名管理条例》第十二条第（三）项：村民委员会、居民委员会所在地按照省、自治区、直辖市人民政府的规定批准"
        "（默认：县级人民政府）",
        "Art. 12(3): village and residents' committee seats as the province rules (default: the county)",
    ),
    "4": ApprovalRule(
        "city",
        "《地名管理条例》第十二条未专列：开发区、园区等由设立它的人民政府批准（默认：市级人民政府）",
        "Not listed in art. 12: zones by the government that set them up (default: the city)",
    ),
    "51": ApprovalRule(
        "county_or_city",
        "《地名管理条例》第十二条第（六）项：具有重要地理方位意义的住宅区、楼宇由直辖市、市、县人民政府住房和城乡建设"
        "主管部门征求同级地名行政主管部门意见后批准",
        "Art. 12(6): residential areas and buildings by the housing department of the city or county, "
        "after the place-name department's opinion",
    ),
    "52": ApprovalRule(
        "county",
        "《地名管理条例》第十二条未专列：自然村等居民点按照省级人民政府的规定批准（默认：县级人民政府）",
        "Not listed in art. 12: natural villages as the province rules (default: the county)",
    ),
    "61": ApprovalRule(
        "county_or_city",
        "《地名管理条例》第十二条第（五）项：街路巷由直辖市、市、县人民政府批准",
        "Art. 12(5): streets and roads by the government of the city or the county",
    ),
    "62": ApprovalRule(
        "county",
        "《地名管理条例》第十二条第（七）项：交通运输等设施由有关主管部门批准，征求所在地县级以上地方人民政府意见"
        "（默认：由所在县级单位办理）",
        "Art. 12(7): transport and other facilities by their competent department, after the local "
        "governments' opinion (default: handled by the county)",
    ),
    "7": ApprovalRule(
        "city",
        "《地名管理条例》第十二条第（四）项、第四十二条：城市公园、自然保护地、纪念设施按照国家有关规定批准"
        "（默认：市级人民政府）",
        "Art. 12(4) and 42: parks, protected areas and memorials under national rules (default: the city)",
    ),
}
UNCLASSIFIED = ApprovalRule("county", "未分类：默认县级人民政府批准", "Unclassified: the county by default")
# a name without a category is classed by the level of the place it names
CATEGORY_OF_LEVEL = {"province": "21", "city": "22", "county": "23", "township": "24", "village": "32"}
# the steps taken by the bureau of the approving unit; the others by the place's own
APPROVING_STEPS = {"announcement", "filed"}
APPROVING_STAGES = {"approval", "announcement"}


async def rules(db_session: AsyncSession) -> dict[str, ApprovalRule]:
    """The deployment's table: the defaults with its own rules over them."""
    edited = await db_session.execute(
        text("SELECT category_code, level, basis_zh, basis_en FROM naming_approval_rule")
    )
    return DEFAULT_RULES | {r.category_code: ApprovalRule(r.level, r.basis_zh, r.basis_en) for r in edited}


def rule_for(table: dict[str, ApprovalRule], category: str | None, level: str | None) -> ApprovalRule:
    code = category or CATEGORY_OF_LEVEL.get(level or "", "")
    for n in range(len(code), 0, -1):
        if code[:n] in table:
            return table[code[:n]]
    return UNCLASSIFIED


def _is_district(county: str) -> bool:
    """A city's district (市辖区, GB/T 2260 codes xxxx01–xxxx20): its streets are the city's."""
    return county[4:6] != "00" and 1 <= int(county[4:6]) <= 20


def approving_unit(level: str, admin_code: str, served_unit: str) -> str:
    """The unit of the approving level that contains the place, or the served unit when that
    lies above the deployment."""
    county = admin_code[:6].ljust(6, "0")
    unit = {
        "county": county,
        "county_or_city": county[:4] + "00" if _is_district(county) else county,
        "city": county[:4] + "00",
        "province": county[:2] + "0000",
        "state": "100000",
    }[level]
    return unit if HomeUnit(served_unit).contains(unit) else served_unit


@dataclass(frozen=True)
class Approval:
    rule: ApprovalRule
    place_unit: str  # the county-level unit the place lies in
    approving_unit: str

    @staticmethod
    def approving_step(stage: str, to: str | None = None) -> bool:
        """Whether the step from `stage` (to `to`) is the approving unit's."""
        return to in APPROVING_STEPS or stage in APPROVING_STAGES

    def unit_for(self, stage: str, to: str | None = None) -> str:
        """The unit whose bureau takes the request from `stage` (to `to`)."""
        return self.approving_unit if self.approving_step(stage, to) else self.place_unit

    def describe(self, stage: str, user: AppUser) -> dict:
        nxt = self.unit_for(stage)
        return {
            "approval": {
                "level": self.rule.level,
                "unit": self.approving_unit,
                "basis_zh": self.rule.basis_zh,
                "basis_en": self.rule.basis_en,
            },
            "next_step_by": nxt,
            "yours": stage not in ("filed", "rejected", "withdrawn") and jurisdiction.covers(user, nxt),
        }


def approval_of(
    table: dict[str, ApprovalRule], request: dict, target: dict | None, served_unit: str
) -> Approval:
    proposal = request.get("proposal") or {}
    fields = {**(target or {}), **{k: v for k, v in proposal.items() if v}}
    rule = rule_for(table, fields.get("category_code"), fields.get("level"))
    # the bureau of the place's county-level unit prepares it (a name of no unit: the deployment's)
    place = (fields.get("admin_code") or served_unit)[:6].ljust(6, "0")
    return Approval(rule, place, approving_unit(rule.level, place, served_unit))


def require_step(user: AppUser, approval: Approval, stage: str, to: str, request_id: int) -> None:
    """403 unless the user's unit covers the unit that takes this step."""
    approving = approval.approving_step(stage, to)
    jurisdiction.require_within(
        user,
        [approval.unit_for(stage, to)],
        (
            f"Naming request {request_id}'s next step ({'approving' if approving else 'handling'} unit)",
            f"命名申请 {request_id} 的此步骤（{'批准' if approving else '办理'}单位）",
        ),
    )


async def rule_table(db_session: AsyncSession) -> list[dict]:
    """Every category with the rule that decides its approval (its own, or its parent's)."""
    table = await rules(db_session)
    edited = set(await db_session.scalars(text("SELECT category_code FROM naming_approval_rule")))
    categories = await db_session.execute(
        text("SELECT code, name_zh, name_en FROM place_name_category ORDER BY code")
    )
    out = []
    for c in categories:
        rule = rule_for(table, c.code, None)
        out.append(
            {
                "category_code": c.code,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "level": rule.level,
                "basis_zh": rule.basis_zh,
                "basis_en": rule.basis_en,
                "edited": c.code in edited,
            }
        )
    return out


async def set_rule(
    db_session: AsyncSession, *, category_code: str, rule: ApprovalRule, actor: AppUser
) -> None:
    """The deployment's own rule for a category (and the categories under it without one)."""
    known = await db_session.scalar(
        text("SELECT 1 FROM place_name_category WHERE code = :c"), {"c": category_code}
    )
    if not known:
        raise NotFound(f"No place-name category '{category_code}'.", f"地名类别“{category_code}”不存在。")
    before = rule_for(await rules(db_session), category_code, None)
    await db_session.execute(
        text("""
        INSERT INTO naming_approval_rule (category_code, level, basis_zh, basis_en, updated_by)
        VALUES (:c, :level, :zh, :en, :by)
        ON CONFLICT (category_code) DO UPDATE SET level = EXCLUDED.level, basis_zh = EXCLUDED.basis_zh,
            basis_en = EXCLUDED.basis_en, updated_by = EXCLUDED.updated_by, updated_at = now()"""),
        {
            "c": category_code,
            "level": rule.level,
            "zh": rule.basis_zh,
            "en": rule.basis_en,
            "by": actor.username,
        },
    )
    await audit.record(
        db_session,
        by=actor,
        action="update",
        entity="naming_approval_rule",
        entity_id=category_code,
        before={"level": before.level, "basis_zh": before.basis_zh},
        after={"level": rule.level, "basis_zh": rule.basis_zh},
    )
