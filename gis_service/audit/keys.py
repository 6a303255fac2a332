"""The audit chain's key and its signed checkpoints, both kept outside the database.

Whoever can write to the database (even its owner or a superuser) can change audit rows
and recompute plain hashes, or drop the newest rows together with their seals. Without
this key they cannot make seals that verify, and the checkpoints, appended to a file
(and the log) as the chain grows, show how far the chain had reached.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from gis_service.core.settings import Settings

KEY_BYTES = 32


class AuditKeyError(RuntimeError):
    """The key is missing or malformed; the message says what to do."""


@dataclass(frozen=True)
class AuditKey:
    secret: bytes

    @property
    def key_id(self) -> str:
        """A short public fingerprint, so a checkpoint can say which key signed it."""
        return hashlib.sha256(b"key-id|" + self.secret).hexdigest()[:12]

    def mac(self, message: str) -> str:
        return hmac.new(self.secret, message.encode(), hashlib.sha256).hexdigest()


def key_file(settings: Settings) -> Path:
    return settings.audit_dir / "key"


def checkpoint_file(settings: Settings) -> Path:
    return settings.audit_dir / "checkpoints.jsonl"


def _parse(text: str, where: str) -> AuditKey:
    try:
        secret = bytes.fromhex(text.strip())
    except ValueError:
        raise AuditKeyError(f"The audit key in {where} is not hexadecimal.") from None
    if len(secret) < KEY_BYTES:
        raise AuditKeyError(f"The audit key in {where} is shorter than {KEY_BYTES} bytes.")
    return AuditKey(secret)


def load_key(settings: Settings, *, create: bool = False) -> AuditKey:
    """AUDIT_KEY, else AUDIT_DIR/key; with `create`, a new random key is written there
    (readable by this user only) when there is none yet."""
    if settings.audit_key:
        return _parse(settings.audit_key, "AUDIT_KEY")
    path = key_file(settings)
    if path.exists():
        return _parse(path.read_text(), str(path))
    if not create:
        raise AuditKeyError(
            f"No audit key: {path} does not exist. It is created by `gis-service db prepare`; "
            "or set AUDIT_KEY."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(KEY_BYTES) + "\n")
    return _parse(path.read_text(), str(path))


@dataclass(frozen=True)
class Checkpoint:
    """How far the chain had reached: seal `seq` (of audit row `audit_id`) had `hash`."""

    chain: str
    seq: int
    audit_id: int
    hash: str
    at: str

    def message(self) -> str:
        return f"checkpoint|{self.chain}|{self.seq}|{self.audit_id}|{self.hash}|{self.at}"

    def signed(self, key: AuditKey) -> dict:
        return {**self.__dict__, "key": key.key_id, "sig": key.mac(self.message())}


def append_checkpoint(settings: Settings, key: AuditKey, checkpoint: Checkpoint) -> dict:
    """Append one signed line. A single write in append mode: lines from several workers
    never interleave."""
    line = checkpoint.signed(key)
    path = checkpoint_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (json.dumps(line, separators=(",", ":")) + "\n").encode())
    finally:
        os.close(fd)
    return line


@dataclass
class CheckpointRead:
    mine: dict[int, Checkpoint]  # by seq, this chain's checkpoints with a good signature
    other_chains: int  # well-signed lines of other databases' chains
    bad_line: int | None  # the first line that is not signed by this key (1-based)


def read_checkpoints(settings: Settings, key: AuditKey, chain: str) -> CheckpointRead:
    path = checkpoint_file(settings)
    result = CheckpointRead({}, 0, None)
    if not path.exists():
        return result
    fields = ("chain", "seq", "audit_id", "hash", "at")
    for n, raw in enumerate(path.read_text().splitlines(), start=1):
        try:
            line = json.loads(raw)
            cp = Checkpoint(*(line[f] for f in fields))
            good = hmac.compare_digest(str(line["sig"]), key.mac(cp.message()))
        except (ValueError, KeyError, TypeError):
            good = False
        if not good:
            result.bad_line = result.bad_line or n
        elif cp.chain == chain:
            result.mine[cp.seq] = cp
        else:
            result.other_chains += 1
    return result
