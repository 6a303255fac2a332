"""The parties of a joint inspection: one per side of its line (the two units the line
divides). An account acts for the sides its unit covers (auth/jurisdiction.py): a banner's
inspector for the banner's side only, an account of a unit above both (the city, the
served unit) for either side, or as the organiser for the line as a whole. Each side
records its own findings and signs its own part once; a signed part is closed, and the
round is completed when every side has signed."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth.jurisdiction import covers, line_units, require_within
from gis_service.auth.models import AppUser
from gis_service.core.errors import BadRequest, Conflict


def sides_of(line_code: str) -> list[str]:
    return line_units(line_code)


def require_party(actor: AppUser, line_code: str) -> None:
    """403 unless the account's unit covers a side of the line (plans, walks or closes its rounds)."""
    require_within(actor, sides_of(line_code), (f"Line {line_code}", f"界线 {line_code}"))


def sides_for(actor: AppUser, line_code: str) -> list[str]:
    """The sides of the line the account may act for."""
    return [s for s in sides_of(line_code) if covers(actor, s)]


def acting_side(actor: AppUser, line_code: str, asked: str | None, *, required: bool = False) -> str | None:
    """The side the account acts for: the one asked (which must be the line's, and the
    account's), else its only side; None when it covers both and asked for none (the
    organiser), which `required` refuses."""
    sides = sides_of(line_code)
    if asked is not None:
        if asked not in sides:
            raise BadRequest(
                f"'{asked}' is not a side of line {line_code} ({' and '.join(sides)}).",
                f"“{asked}”不是界线 {line_code} 的一方（{'、'.join(sides)}）。",
            )
        require_within(
            actor, [asked], (f"Side {asked} of line {line_code}", f"界线 {line_code} 的 {asked} 一方")
        )
        return asked
    require_party(actor, line_code)
    mine = sides_for(actor, line_code)
    if len(mine) == 1:
        return mine[0]
    if required:
        raise BadRequest(
            f"Your account acts for both sides of line {line_code}: say which side ({' or '.join(sides)}).",
            f"您的账号可代表界线 {line_code} 的双方，请指明代表哪一方（{'或'.join(sides)}）。",
        )
    return None


async def signed_sides(db_session: AsyncSession, round_id: int) -> set[str]:
    rows = await db_session.scalars(
        text("SELECT side FROM inspection_signature WHERE round_id = :r"), {"r": round_id}
    )
    return set(rows)


def refuse_if_signed(round_id: int, side: str | None, signed: set[str]) -> None:
    if side in signed:
        raise Conflict(
            f"Side {side} has signed round {round_id}: its part is closed.",
            f"{side} 一方已在联合检查 {round_id} 上签字，其部分已关闭。",
        )


async def parties(db_session: AsyncSession, *, round_id: int, line_code: str) -> list[dict]:
    """Each side with its unit's name and its signature (None until it signs)."""
    rows = await db_session.execute(
        text("""
        SELECT s.side, u.name AS unit_name, u.name_romanized AS unit_name_romanized, g.signer_name, g.statement, g.signed_at, a.username AS signed_by
        FROM unnest(CAST(:sides AS text[])) WITH ORDINALITY AS s(side, n)
        LEFT JOIN admin_unit u ON u.code = s.side AND u.valid_to IS NULL
        LEFT JOIN inspection_signature g ON g.round_id = :r AND g.side = s.side
        LEFT JOIN app_user a ON a.id = g.signed_by
        ORDER BY s.n"""),
        {"r": round_id, "sides": sides_of(line_code)},
    )
    out = []
    for r in rows:
        d = dict(r._mapping)
        signature = {k: d.pop(k) for k in ("signer_name", "statement", "signed_at", "signed_by")}
        out.append({**d, "signature": signature if signature["signed_at"] else None})
    return out


async def sign(
    db_session: AsyncSession,
    *,
    round_id: int,
    line_code: str,
    side: str | None,
    signer_name: str,
    statement: str | None,
    actor: AppUser,
) -> tuple[str, bool]:
    """Sign a side's part. The same account signing the same side again (a resend) is
    answered as the first time: (side, True)."""
    side = acting_side(actor, line_code, side, required=True)
    existing = (
        await db_session.execute(
            text("SELECT signed_by, signer_name FROM inspection_signature WHERE round_id = :r AND side = :s"),
            {"r": round_id, "s": side},
        )
    ).first()
    if existing is not None:
        if existing.signed_by == actor.id and existing.signer_name == signer_name:
            return side, True
        refuse_if_signed(round_id, side, {side})
    await db_session.execute(
        text("""
        INSERT INTO inspection_signature (round_id, side, signer_name, statement, signed_by)
        VALUES (:r, :s, :n, :st, :by)"""),
        {"r": round_id, "s": side, "n": signer_name, "st": statement, "by": actor.id},
    )
    return side, False


async def require_all_signed(db_session: AsyncSession, *, round_id: int, line_code: str) -> None:
    waiting = [s for s in sides_of(line_code) if s not in await signed_sides(db_session, round_id)]
    if waiting:
        raise Conflict(
            f"Round {round_id} waits for the signature of {' and '.join(waiting)}: each side signs its part "
            "before the round is completed.",
            f"联合检查 {round_id} 尚待 {'、'.join(waiting)} 一方签字：各方签字后方可完成。",
        )
