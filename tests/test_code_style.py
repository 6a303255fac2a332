"""The code stays ruff-clean (docs/architecture.md, conventions)."""

import subprocess
import sys

from gis_service.core.settings import PROJECT_ROOT


def test_ruff_check_passes():
    r = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "gis_service", "tests"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
