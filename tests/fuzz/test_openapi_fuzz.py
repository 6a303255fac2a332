"""Schemathesis generates requests from the service's own OpenAPI document and sends
them as every role and as an anonymous caller. The target: no 5xx, and every response
matches the document (status code, content type, body schema). The seed and the number
of cases are printed so that a failure can be replayed (FUZZ_SEED, FUZZ_EXAMPLES)."""

import os
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis import checks as base_checks
from schemathesis.specs.openapi import checks as openapi_checks

from gis_service.auth.models import ROLES
from gis_service.core.settings import Settings
from gis_service.main import create_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
SEED = int(os.environ.get("FUZZ_SEED", "4490"))
CHECKS = [
    base_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
# httpx notes how Schemathesis passes raw bodies, thousands of times: not about the service.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
print(f"OpenAPI fuzzing: seed {SEED}, {EXAMPLES} cases per operation and caller")

# The document only: requests go through the session's TestClient (with the app's lifespan).
schema = schemathesis.openapi.from_dict(create_app(Settings(_env_file=None)).openapi())


# Signing out would end the caller's own session for the rest of the run; the auth tests
# cover it.
NOT_FUZZED = {("POST", "/api/v1/auth/logout")}


@pytest.fixture(scope="module")
def fuzz_tokens(client, auth):
    """Accounts of their own, so that whatever the fuzzer does to its sessions or
    accounts leaves the demo accounts of the other tests alone."""
    tokens = {}
    for role in ROLES:
        name, password = f"fuzz_{role}_{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
        created = client.post(
            "/api/v1/users",
            json={"username": name, "role": role, "password": password},
            headers=auth("admin"),
        )
        assert created.status_code == 201, created.text
        signed_in = client.post("/api/v1/auth/token", data={"username": name, "password": password})
        tokens[role] = signed_in.json()["access_token"]
    return tokens


@pytest.fixture(params=[None, *ROLES], ids=lambda r: r or "anonymous")
def caller(request, fuzz_tokens):
    return {"Authorization": f"Bearer {fuzz_tokens[request.param]}"} if request.param else {}


@schema.parametrize()
@seed(SEED)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_document(case, caller, client):
    if (case.method.upper(), case.path) in NOT_FUZZED:
        return
    try:
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=caller)
        response = client.request(**kwargs)
        response.request.read()  # multipart bodies are streamed; the checks read the request back
    except (AttributeError, TypeError):
        return  # e.g. a number where a multipart file goes: no HTTP client can send that
    case.validate_response(response, checks=CHECKS)


# The file imports, as an administrator (who may use them) and anonymously, with more cases
# each: generated multipart bodies reach the readers, not only the role check.
IMPORT_EXAMPLES = int(os.environ.get("FUZZ_IMPORT_EXAMPLES", "25"))
imports = schema.include(path_regex=r"/import(/|$)|/geometry/file$")


@pytest.fixture(params=[None, "admin"], ids=lambda r: r or "anonymous")
def import_caller(request, fuzz_tokens):
    headers = {"If-Match": "*"}  # an update names a version; "*" lets the body through to the reader
    return headers | ({"Authorization": f"Bearer {fuzz_tokens[request.param]}"} if request.param else {})


@imports.parametrize()
@seed(SEED)
@settings(max_examples=IMPORT_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_imports_conform_to_the_document(case, import_caller, client):
    try:
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=import_caller)
        response = client.request(**kwargs)
        response.request.read()
    except (AttributeError, TypeError):
        return
    case.validate_response(response, checks=CHECKS)
