"""What the TLS front costs: the same repeated tile reads (signed in, caches warm) and
the `/healthz` floor, sent by wrk to the service directly and through Debian's Caddy
running the shipped docker/Caddyfile (internal CA, HTTP/1.1 with TLS, keep-alive), in
one run with the same workers.

    ./scripts/bench_proxy [--workers 2] [--seconds 10] [--connections 16]

Results are printed and written to bench-results/proxy.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_support import prepared_database, report, run_wrk, serve  # noqa: E402

from gis_service.offline.tiles import lonlat_to_tile  # noqa: E402
from gis_service.ops.embedded_postgres import free_port  # noqa: E402

DONGSHENG = (109.98, 39.82)  # tiles over the city's centre, where every layer has features
TILES = [
    f"/api/v1/layers/{layer}/tiles/{z}/{x}/{y}"
    for layer, z in (("county_boundary", 8), ("boundary_line", 10), ("boundary_marker", 12))
    for x, y in [lonlat_to_tile(*DONGSHENG, z)]
]


def start_caddy(app_port: int, work: Path) -> tuple[subprocess.Popen, str]:
    https_port = free_port()
    env = {
        **os.environ,
        "SITE_ADDRESS": "localhost",
        "TLS_MODE": "internal",
        "APP_UPSTREAM": f"127.0.0.1:{app_port}",
        "HTTP_PORT": str(free_port()),
        "HTTPS_PORT": str(https_port),
        "CADDY_ADMIN": "off",
        "XDG_DATA_HOME": str(work / "data"),
        "XDG_CONFIG_HOME": str(work / "config"),
    }
    proc = subprocess.Popen(
        ["caddy", "run", "--config", str(ROOT / "docker" / "Caddyfile"), "--adapter", "caddyfile"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"https://localhost:{https_port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", verify=False).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("caddy did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pg, url = prepared_database(work / "pg")
        server, direct = serve(url, args.workers, TRUSTED_PROXIES="127.0.0.1")
        caddy, proxied = start_caddy(int(direct.rsplit(":", 1)[1]), work)
        try:
            token = httpx.post(
                direct + "/api/v1/auth/token",
                data={"username": "demo_inspector", "password": "demo-inspector"},
            ).json()["access_token"]
            results = {"workers": args.workers, "seconds": args.seconds, "connections": args.connections}
            for name, paths in (("tiles", TILES), ("healthz", ["/healthz"])):
                for label, base in (("direct", direct), ("through_caddy", proxied)):
                    run_wrk(base, paths, 2, args.connections, work, token)  # warm caches and connections
                    results[f"{name}_{label}"] = run_wrk(
                        base, paths, args.seconds, args.connections, work, token
                    )
                results[f"{name}_proxy_cost_pct"] = round(
                    100 * (1 - results[f"{name}_through_caddy"]["rps"] / results[f"{name}_direct"]["rps"]), 1
                )
        finally:
            caddy.terminate()
            server.terminate()
            server.wait(30)
            pg.stop()
    report("proxy", results)


if __name__ == "__main__":
    main()
