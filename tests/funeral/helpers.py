"""Building import files for the funeral tests."""

from __future__ import annotations

import csv
import io
import uuid


def csv_file(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def upload(client, auth, kind: str, data: bytes, name: str = "file.csv"):
    return client.post(f"/api/v1/funeral/import/{kind}", files={"file": (name, data)}, headers=auth("admin"))
