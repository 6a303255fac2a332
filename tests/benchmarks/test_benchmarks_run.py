"""The benchmark scripts are part of the product: each runs to its end here, briefly, on a
database of its own, so a moved route or a renamed view breaks the suite rather than the
next measurement. (The figures of these runs mean nothing; they go to a scratch folder.)"""

import json
import os
import subprocess
import sys

from gis_service.core.settings import PROJECT_ROOT


def _run(script: str, args: list[str], database: str, results) -> dict:
    env = {**os.environ, "BENCH_DATABASE_URL": database, "BENCH_RESULTS_DIR": str(results)}
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    return json.loads((results / f"{script.removesuffix('.py')}.json").read_text(encoding="utf-8"))


def test_the_soak_runs_to_its_end(empty_database, tmp_path):
    """A few seconds of the bureau's mixed day, then the tile reads beside tipg and the
    /healthz floor: every side answers every request."""
    soak = _run(
        "soak.py", ["--minutes", "0.1", "--read-seconds", "1", "--workers", "1"], empty_database, tmp_path
    )
    assert soak["ok"] and soak["visits_acknowledged"] > 0
    reads = soak["reads_beside_tipg"]
    assert set(reads) == {"GET /healthz", "tiles, ours signed in", "tiles, ours anonymous", "tiles, tipg"}
    assert all(r["errors"] == 0 and r["rps"] > 0 for r in reads.values()), reads


def test_the_register_update_benchmark_runs_to_its_end(empty_database, tmp_path):
    """Ordos' two editions and a few review-list requests, against the /healthz floor."""
    found = _run(
        "bench_register_update.py", ["--unit", "150600", "--requests", "3"], empty_database, tmp_path
    )
    assert found["units 2.7.0"] > 1000 and found["changes"] > 100
    assert found["review list, 200 changes: p50 (ms)"] > 0 and found["/healthz floor: p50 (ms)"] > 0
