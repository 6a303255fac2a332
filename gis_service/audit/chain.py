"""Sealing the audit log into a keyed hash chain, and verifying it.

Each seal stores HMAC-SHA256(key, previous hash | the row's content) in `audit_seal`, in
the order rows are sealed. The key never reaches the database, so neither the service's
role nor the owner can recompute a chain after changing a row. After every seal a signed
checkpoint (chain, position, head hash) goes to the checkpoint file and the log: a
removed tail, which leaves a shorter chain that is consistent in itself, shows up as a
chain that ends before its last checkpoint.

Seals made before the chain was keyed (migration 0020) are plain SHA-256 over the
older content text; the first keyed seal chains onto them, which protects them too.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from psycopg import AsyncConnection

from gis_service.audit.keys import AuditKey, Checkpoint, append_checkpoint, read_checkpoints
from gis_service.core.settings import Settings

log = logging.getLogger(__name__)

SEAL_LOCK = 4490_0003  # one sealer at a time, across workers
BATCH = 5000
GENESIS = "0" * 64
_AT = "to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
# The row as hashed: a JSON array, so that no two different rows give the same text. The
# acting unit (migration 0040) is appended only when there is one, so that rows sealed
# before it hash as they did.
CONTENT = f"""(jsonb_build_array(a.id, {_AT}, a.actor_id, a.actor, a.action, a.entity, a.entity_id,
    a.before, a.after, a.request_id)
    || CASE WHEN a.actor_unit IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(a.actor_unit) END)::text"""
# The unkeyed seals of migration 0012 hashed this text.
LEGACY_CONTENT = f"""concat_ws('|', a.id, {_AT}, a.actor_id, a.actor, a.action, a.entity,
    a.entity_id, a.before::text, a.after::text, a.request_id)"""


def keyed_hash(key: AuditKey, prev: str, content: str) -> str:
    return key.mac(prev + "|" + content)


def legacy_hash(prev: str, content: str) -> str:
    return hashlib.sha256((prev + "|" + content).encode()).hexdigest()


async def chain_id(conn: AsyncConnection) -> str:
    cur = await conn.execute("SELECT id::text FROM audit_chain")
    row = await cur.fetchone()
    return row[0] if row else "missing"


async def seal(conn: AsyncConnection, key: AuditKey) -> tuple[int, Checkpoint | None]:
    """Chain up to BATCH audit rows not yet sealed. Returns how many were sealed and the
    new head (None when there was nothing to seal or another worker is sealing)."""
    async with conn.transaction():
        cur = await conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (SEAL_LOCK,))
        if not (await cur.fetchone())[0]:
            return 0, None
        cur = await conn.execute("SELECT seq, hash FROM audit_seal ORDER BY seq DESC LIMIT 1")
        last = await cur.fetchone()
        seq, prev = (last[0], last[1]) if last else (0, GENESIS)
        cur = await conn.execute(
            f"""SELECT a.id, {CONTENT} FROM audit_log a
                WHERE NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.audit_id = a.id)
                ORDER BY a.id LIMIT {BATCH}"""
        )
        rows = await cur.fetchall()
        if not rows:
            return 0, None
        seals = []
        for audit_id, content in rows:
            seq += 1
            digest = keyed_hash(key, prev, content)
            seals.append((seq, audit_id, prev, digest))
            prev = digest
        async with conn.cursor() as c:
            await c.executemany(
                "INSERT INTO audit_seal (seq, audit_id, prev_hash, hash, keyed) VALUES (%s, %s, %s, %s, true)",
                seals,
            )
        chain = await chain_id(conn)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return len(seals), Checkpoint(chain, seq, seals[-1][1], prev, now)


async def seal_and_checkpoint(conn: AsyncConnection, key: AuditKey, settings: Settings) -> int:
    """Seal everything new, writing a signed checkpoint to the file and the log after each
    batch. Returns the number of rows sealed."""
    total = 0
    while True:
        n, head = await seal(conn, key)
        if head is None:
            return total
        total += n
        line = append_checkpoint(settings, key, head)
        log.info("audit checkpoint", extra={"audit_checkpoint": line})
        if n < BATCH:
            return total


@dataclass
class ChainReport:
    sealed: int = 0
    unsealed: int = 0
    keyed: int = 0
    checkpoints: int = 0
    broken_seq: int | None = None
    broken_audit_id: int | None = None
    problem: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.problem is None

    def broken(self, seq: int | None, audit_id: int | None, problem: str) -> ChainReport:
        self.broken_seq, self.broken_audit_id, self.problem = seq, audit_id, problem
        return self


async def verify(
    conn: AsyncConnection, key: AuditKey, settings: Settings, *, restored: bool = False
) -> ChainReport:
    """Walk the chain in seal order and compare it with the checkpoints. Stops at the
    first seal that is missing, out of place, or does not match its row, naming it.

    `restored`: the database is a restored backup, which ends where the backup was taken,
    before checkpoints written since; those are reported, not taken for a removed tail.
    Every seal the backup holds is still checked, against every checkpoint it reaches."""
    report = ChainReport()
    chain = await chain_id(conn)
    cps = read_checkpoints(settings, key, chain)
    report.checkpoints = len(cps.mine)
    if cps.bad_line:
        return report.broken(
            None, None, f"checkpoint line {cps.bad_line} is not signed with this key: the file was altered"
        )
    cur = await conn.execute(
        "SELECT count(*) FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.audit_id = a.id)"
    )
    report.unsealed = (await cur.fetchone())[0]
    prev, expected = GENESIS, 0
    async with conn.transaction(), conn.cursor(name="audit_verify") as cur:
        await cur.execute(
            f"""SELECT s.seq, s.audit_id, s.prev_hash, s.hash, s.keyed, a.id IS NULL,
                       {CONTENT}, CASE WHEN NOT s.keyed THEN {LEGACY_CONTENT} END
                FROM audit_seal s LEFT JOIN audit_log a ON a.id = s.audit_id ORDER BY s.seq"""
        )
        async for values in cur:
            row = SealRow(*values)
            expected += 1
            problem = _seal_problem(key, row, expected, prev, keyed_before=report.keyed > 0)
            if problem is None and (cp := cps.mine.get(row.seq)) and cp.hash != row.hash:
                problem = f"seal {row.seq} differs from the checkpoint written at {cp.at}"
            if problem:
                return report.broken(row.seq, row.audit_id, problem)
            prev = row.hash
            report.sealed += 1
            report.keyed += row.keyed
    if cps.mine and (last := max(cps.mine)) > report.sealed and restored:
        newer = sum(1 for seq in cps.mine if seq > report.sealed)
        report.warnings.append(
            f"the backup ends at seal {report.sealed}: {newer} checkpoint(s) up to seal {last} were written "
            "after it was taken"
        )
    elif cps.mine and (last := max(cps.mine)) > report.sealed:
        cp = cps.mine[last]
        first_gone = report.sealed + 1
        return report.broken(
            first_gone,
            None,
            f"the chain ends at seal {report.sealed}, but the checkpoint written at {cp.at} records seal "
            f"{last} (audit row {cp.audit_id}): seals {first_gone} to {last} and their rows were removed",
        )
    if not cps.mine and report.sealed:
        other = f" (it holds {cps.other_chains} of other databases)" if cps.other_chains else ""
        report.warnings.append(f"no checkpoint of this chain in the checkpoint file{other}")
    return report


class SealRow(NamedTuple):
    seq: int
    audit_id: int
    prev_hash: str
    hash: str
    keyed: bool
    row_missing: bool
    content: str | None
    legacy_content: str | None


def _seal_problem(key: AuditKey, row: SealRow, expected: int, prev: str, keyed_before: bool) -> str | None:
    if row.seq != expected:
        return f"seal {expected} is missing"
    if row.row_missing:
        return f"audit row {row.audit_id} was removed"
    if row.prev_hash != prev:
        return "the chain was cut or reordered here"
    if row.keyed:
        if not hmac.compare_digest(row.hash, keyed_hash(key, prev, row.content)):
            return f"audit row {row.audit_id} was changed after it was sealed (or sealed with another key)"
    elif keyed_before:
        return f"seal {row.seq} is unkeyed but follows keyed seals: the service did not make it"
    elif row.hash != legacy_hash(prev, row.legacy_content):
        return f"audit row {row.audit_id} was changed after it was sealed"
    return None
