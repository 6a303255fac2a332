"""Secrets never reach the logs: after the rest of the run (this folder sorts last), the
service's whole log is searched for passwords, tokens and the database password."""

import re
from urllib.parse import urlsplit

from tests.conftest import PASSWORDS, RUN_LOG


def test_the_run_log_holds_no_secrets(client, tokens, database_url):
    # a sign-in with a wrong password and a request with a bad token, so both paths are in the log
    client.post("/api/v1/auth/token", data={"username": "demo_viewer", "password": "Secret-Wrong-9"})
    client.get("/api/v1/auth/me", headers={"Authorization": "Bearer Secret-Token-9"})
    for handler in __import__("logging").getLogger().handlers:
        handler.flush()
    log = RUN_LOG.read_text(encoding="utf-8")
    assert log.count("\n") > 100, "the run log is unexpectedly short"
    secrets = {*PASSWORDS.values(), *tokens.values(), "Secret-Wrong-9", "Secret-Token-9"}
    db_password = urlsplit(database_url).password
    if db_password:
        secrets.add(db_password)
    leaked = sorted(s for s in secrets if s and s in log)
    assert leaked == [], f"secrets in the log: {[s[:4] + '…' for s in leaked]}"
    assert not re.search(r"Bearer\s+\S{8,}", log)
    assert not re.search(r'"password"\s*:\s*"[^*"]', log)
