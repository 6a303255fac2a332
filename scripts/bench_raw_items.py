"""The raw database's side of an items row: the statement the items page runs
(catalogue/service.items, with numberMatched as the OGC API asks for it), sent by pgbench
on prepared statements with the same connections and duration as wrk, each with a 0.04°
box centred at random in the same extent. What is left between it and our row is the
HTTP path: parsing, signing in, writing the answer."""

from __future__ import annotations

import statistics
import subprocess
import tempfile
from pathlib import Path

from bench_support import percentile

from gis_service.catalogue import service
from gis_service.catalogue.declarations import load_declarations
from gis_service.ops.embedded_postgres import bindir
from gis_service.query.bbox import bbox_of

HALF_BOX = 0.02  # degrees: the wrk rows' boxes are 0.04° wide


def items_statement(layers_dir: Path, layer_id: str, limit: int = 100) -> str:
    """The items statement for `layer_id` with pgbench variables for the box."""
    layer = load_declarations(layers_dir)[layer_id]
    # a CRS84 box: the envelope is written in the storage CRS, as for a real request
    sql, params = service.items_statement(
        layer=layer, area=bbox_of((0, 0, 1, 1)), limit=limit, after=None, filters={}, count=True
    )
    for name in ("limit", "page"):  # the box's :minx … :maxy are pgbench's variables as they are
        sql = sql.replace(f":{name}", str(params[name]))
    return " ".join(sql.split()) + ";"


def pgbench_script(statement: str, extent: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = extent
    return (
        f"\\set lon {x0} + random(0, 1000000) / 1000000.0 * {x1 - x0}\n"
        f"\\set lat {y0} + random(0, 1000000) / 1000000.0 * {y1 - y0}\n"
        f"\\set minx :lon - {HALF_BOX}\n\\set miny :lat - {HALF_BOX}\n"
        f"\\set maxx :lon + {HALF_BOX}\n\\set maxy :lat + {HALF_BOX}\n{statement}\n"
    )


def run(url: str, layers_dir: Path, layer_id: str, extent, *, duration: int, connections: int) -> dict:
    """Transactions/s, p50 and p99 (ms) of the items statement under pgbench."""
    with tempfile.TemporaryDirectory(prefix="bench-raw-") as tmp:
        script = Path(tmp) / "items.sql"
        script.write_text(pgbench_script(items_statement(layers_dir, layer_id), extent))
        command = [str(bindir() / "pgbench"), "-n", "-M", "prepared", "-c", str(connections), "-j", "2"]
        subprocess.run(
            [*command, "-T", "3", "-f", str(script), url], check=True, capture_output=True
        )  # warm-up
        done = subprocess.run(
            [*command, "-T", str(duration), "-l", "--log-prefix", f"{tmp}/log", "-f", str(script), url],
            check=True,
            capture_output=True,
            text=True,
            cwd=tmp,
        )
        latencies = sorted(
            int(line.split()[2]) / 1000
            for log in Path(tmp).glob("log*")
            for line in log.read_text().splitlines()
        )
    tps = next(float(line.split()[2]) for line in done.stdout.splitlines() if line.startswith("tps = "))
    return {
        "rps": round(tps, 1),
        "p50_ms": round(statistics.median(latencies), 3),
        "p99_ms": round(percentile(latencies, 99), 3),
        "errors": 0,
    }
