"""The `ogctests` conformance checker (PyPI, in its own environment .venv-ogctests, set
up by scripts/test) run against the live service, signed in: its core and filtering
suites pass except for the checks named below, each the checker's own fault."""

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gis_service.core.settings import PROJECT_ROOT

CHECKER = PROJECT_ROOT / ".venv-ogctests" / "bin" / "python"
RUN = """
import sys, httpx
from ogctests.main import run_ogctests
url, token, scope, report = sys.argv[1:5]
client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120)
sys.exit(run_ogctests(scope, instance_url=url, test_client=client,
                      flags=["-q", "-p", "no:cacheprovider", f"--junitxml={report}"]))
"""
NULL_GEOMETRY = (
    "validates every feature's geometry against a schema with no null: RFC 7946 §3.2 gives "
    "an unlocated feature a null geometry (township_unit, the township register, has no shapes)"
)
LINK_HEADER = (
    "parses the Link header by splitting on '=' and keeps the quotes: a relation that is a "
    "URI must be quoted (RFC 8288 §3.3), so it never matches; and it reads 'href' where its "
    "own parser stored 'iri'. Our items answer carries "
    '<…/queryables>; rel="http://www.opengis.net/def/rel/ogc/1.0/queryables" (checked below)'
)
AFTER_CT2 = "reads the queryables test ct2 should have stored (KeyError): it fails with ct2"
KNOWN_CHECKER_FAULTS = {
    "features/core": {"test_ast22": NULL_GEOMETRY, "test_ast28": NULL_GEOMETRY},
    "features/filtering": {
        "test_ct2": LINK_HEADER,
        "test_ct3": AFTER_CT2,
        "test_ct4": "asserts the optional 'queryables-query-parameters' class, which we do not "
        "claim (only declared filterable properties are query parameters)",
        "test_ct5": AFTER_CT2,
        "test_ct7": AFTER_CT2,
        "test_ct8": AFTER_CT2,
        "test_ct9": AFTER_CT2,
        "test_ct10": AFTER_CT2,
    },
}


def _results(report: Path) -> dict[str, str]:
    out = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        out[case.get("name")] = (
            "failed" if kinds & {"failure", "error"} else "skipped" if "skipped" in kinds else "passed"
        )
    return out


@pytest.mark.parametrize("scope", ["features/core", "features/filtering"])
def test_ogctests_pass_except_for_the_checkers_own_faults(live_server, tokens, tmp_path, scope):
    report = tmp_path / "report.xml"
    r = subprocess.run(
        [str(CHECKER), "-c", RUN, f"{live_server}/ogc", tokens["admin"], scope, str(report)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert report.exists(), r.stdout[-3000:] + r.stderr[-3000:]
    results = _results(report)
    failed = {name for name, outcome in results.items() if outcome == "failed"}
    known = KNOWN_CHECKER_FAULTS[scope]
    assert failed <= set(known), r.stdout[-4000:]
    passed = {name for name, outcome in results.items() if outcome == "passed"}
    assert len(passed) >= (25 if scope == "features/core" else 2), results


def test_what_the_checker_misreads_is_there(client, auth):
    """The Link header ct2 cannot parse does carry the queryables, and a null geometry is
    what RFC 7946 says for an unlocated feature."""
    r = client.get("/ogc/collections/grave/items?limit=1", headers=auth("planner"))
    assert (
        '/ogc/collections/grave/queryables>; rel="http://www.opengis.net/def/rel/ogc/1.0/queryables"'
        in r.headers["link"]
    )
    towns = client.get("/ogc/collections/township_unit/items?limit=5", headers=auth("admin")).json()
    assert towns["features"] and all(f["geometry"] is None for f in towns["features"])
