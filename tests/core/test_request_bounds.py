"""What one request may hold is bounded: a body over the limit is a 413 before it is read
(declared) or as soon as it streams past the limit (chunked), and a worker grown past its
memory limit gives memory back, then is replaced by stopping gracefully."""

import subprocess
import sys
import textwrap

from fastapi.testclient import TestClient

from gis_service.main import create_app


def test_bodies_over_the_limit_are_413(settings, prepared_db, auth):
    app = create_app(settings.model_copy(update={"max_json_body_mb": 1, "max_upload_body_mb": 2}))
    with TestClient(app) as c:
        big_json = b'{"name":"' + b"x" * (1024 * 1024 + 10) + b'"}'
        r = c.post(
            "/api/v1/place-names/check",
            content=big_json,
            headers=auth("placename_officer") | {"Content-Type": "application/json"},
        )
        assert r.status_code == 413 and r.json()["message_zh"], r.text

        def chunks():
            yield b'{"name":"'
            for _ in range(40):
                yield b"y" * 65536
            yield b'"}'

        r = c.post(
            "/api/v1/place-names/check",
            content=chunks(),
            headers=auth("placename_officer") | {"Content-Type": "application/json"},
        )
        assert r.status_code == 413, r.text
        upload = c.post(
            "/api/v1/funeral/import/facilities",
            files={"file": ("big.csv", b"code,name\n" + b"A,b\n" * 800_000)},
            headers=auth("admin"),
        )
        assert upload.status_code == 413, upload.text[:200]
        # under the limit, the same routes answer as usual
        ok = c.post(
            "/api/v1/place-names/check",
            json={"name": "东胜区", "admin_code": "150602"},
            headers=auth("placename_officer"),
        )
        assert ok.status_code == 200, ok.text


def test_a_worker_past_its_memory_limit_is_replaced_gracefully():
    """In a process of its own: past the limit (1 MB: any Python process), the guard gives
    memory back, then stops the worker with SIGTERM when a supervisor would replace it."""
    script = textwrap.dedent("""
        import asyncio, os
        from gis_service.core import memory
        memory.CHECK_EVERY_S = 0.05
        os.environ[memory.SUPERVISED_ENV] = "1"
        asyncio.run(memory.guard(1, memory.supervised()))
        asyncio.run(asyncio.sleep(30))
    """)
    done = subprocess.run([sys.executable, "-c", script], timeout=60, capture_output=True, text=True)
    assert done.returncode == -15, (done.returncode, done.stderr[-500:])
    # unsupervised, it only gives memory back and keeps serving
    script = script.replace('os.environ[memory.SUPERVISED_ENV] = "1"', "").replace("sleep(30)", "sleep(0)")
    script = script.replace(
        "asyncio.run(memory.guard(1, memory.supervised()))",
        "asyncio.run(asyncio.wait_for(memory.guard(1, memory.supervised()), 0.5))",
    )
    done = subprocess.run([sys.executable, "-c", script], timeout=60, capture_output=True, text=True)
    assert "TimeoutError" in done.stderr and done.returncode == 1, (done.returncode, done.stderr[-500:])
