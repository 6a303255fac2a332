"""Where one request's time goes, by part of the stack, while wrk keeps the service busy.

    ./scripts/profile_request PATH [--user demo_admin | --anonymous] [--seconds 8] [--workers 1]

The service runs as `./scripts/run` serves it (the bench database under /tmp, the service's
own role); wrk (2 threads, 16 connections) requests PATH signed in, and py-spy samples the
worker meanwhile. Samples of the event-loop thread are sorted into parts: route matching,
authentication, each middleware's own work (request log and id, security headers, text
guard), the handler, the database driver, HTTP parsing and writing in uvicorn, and the
event loop's own wait. Prints the parts by share of the samples; results also go to
bench-results/profile-<path>.json.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_support import prepared_database, save_results, serve, sign_in  # noqa: E402

# (part, pattern on a frame "function (file)"), first match from the innermost frame outwards
PARTS = [
    ("database driver (psycopg, SQLAlchemy)", r"\((psycopg|psycopg_pool|sqlalchemy)/"),
    (
        "authentication (token cache, user lookup)",
        r"(token_cache\.py|get_optional_user|get_current_user|OAuth2)",
    ),
    ("request log and request id", r"(core/logging\.py|logging/__init__\.py|new_request_id)"),
    ("security headers", r"security_headers\.py"),
    ("text guard", r"text_input\.py"),
    ("read-your-writes", r"read_your_writes\.py"),
    ("route matching", r"(matches|_match|_get_routes_version|_restore_fastapi_scope_key|_get_fastapi_scope)"),
    ("dependency solving", r"dependencies/utils\.py"),
    ("handler", r"\(gis_service/(?!core/(logging|security_headers|text_input|read_your_writes))"),
    ("HTTP parsing and writing (uvicorn)", r"uvicorn/protocols"),
    ("framework (FastAPI, Starlette)", r"\((fastapi|starlette)/"),
    ("event loop (idle or I/O)", r"asyncio/"),
]


def classify(frames: list[str]) -> str:
    for frame in reversed(frames):
        for part, pattern in PARTS:
            if re.search(pattern, frame):
                return part
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path")
    parser.add_argument("--user", default="demo_admin")
    parser.add_argument("--anonymous", action="store_true")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    _, url = prepared_database(Path("/tmp/gis-service-bench"))
    server, base = serve(url, args.workers)
    try:
        token = "" if args.anonymous else sign_in(base, args.user)
        headers = [] if args.anonymous else ["-H", f"Authorization: Bearer {token}"]
        subprocess.run(["wrk", "-t2", "-c16", "-d3s", *headers, base + args.path], capture_output=True)
        worker = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        pid = worker[-1] if args.workers > 1 and worker else str(server.pid)
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "profile.txt"
            spy = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "-p",
                    pid,
                    "-d",
                    str(args.seconds),
                    "-r",
                    "250",
                    "-f",
                    "raw",
                    "-o",
                    str(raw),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.5)
            load = subprocess.run(
                ["wrk", "-t2", "-c16", f"-d{args.seconds - 1}s", *headers, base + args.path],
                capture_output=True,
                text=True,
            ).stdout
            spy.wait(60)
            samples = raw.read_text().splitlines()
    finally:
        server.terminate()
        server.wait(30)
    parts: collections.Counter[str] = collections.Counter()
    for line in samples:
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        if not any("serve (gis_service/cli.py" in f or "spawn_main" in f for f in frames):
            continue  # other threads: the CPU pool idling, the driver's background work
        parts[classify(frames)] += int(n)
    total = sum(parts.values()) or 1
    rps = re.search(r"Requests/sec:\s+([\d.]+)", load)
    shares = {part: round(100 * n / total, 1) for part, n in parts.most_common()}
    print(f"{args.path}: {rps.group(1) if rps else '?'} req/s under wrk while sampled; {total} samples")
    for part, share in shares.items():
        print(f"  {share:5.1f}%  {part}")
    name = re.sub(r"[^a-z0-9]+", "-", args.path.lower()).strip("-")[:60]
    save_results(f"profile-{name}", {"path": args.path, "rps": rps and float(rps.group(1)), "shares": shares})


if __name__ == "__main__":
    main()
