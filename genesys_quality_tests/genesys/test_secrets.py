"""The client secret and access tokens never reach exception text, reprs or log records."""

from __future__ import annotations

import logging
import traceback
from datetime import datetime, timezone

import pytest

from genesys_quality.genesys import GenesysError

from .conftest import CLIENT_SECRET


def test_secret_and_tokens_never_appear_in_errors_or_logs(start_simulator, make_client, caplog, monkeypatch):
    simulator = start_simulator(token_lifetime_seconds=2)
    issued: list[str] = []
    issue = simulator.tokens.issue

    def recording_issue(*args, **kwargs):  # observe what the server hands out
        response = issue(*args, **kwargs)
        issued.append(response["access_token"])
        return response

    monkeypatch.setattr(simulator.tokens, "issue", recording_issue)
    caplog.set_level(logging.DEBUG)
    client = make_client(simulator, max_retries=1)
    texts: list[str] = [repr(client), str(client.stats)]

    def expect_failure(call) -> None:
        with pytest.raises(GenesysError) as caught:
            call()
        texts.extend([str(caught.value), repr(caught.value)])
        texts.extend(traceback.format_exception(caught.value))

    october = datetime(2026, 10, 1, tzinfo=timezone.utc), datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert list(client.search_evaluations(*october))
    simulator.faults.expire_tokens()  # 401, replay with a new token
    assert client.list_published_forms()
    for kind in ("503", "malformed", "reset"):
        simulator.faults.fail_next(2, kind=kind, path_pattern="publishedforms")
        expect_failure(client.list_published_forms)
    simulator.faults.fail_next(1, kind="429", path_pattern="publishedforms")
    assert client.list_published_forms()
    expect_failure(lambda: client.get_form_version("no-such-form"))
    expect_failure(lambda: make_client(simulator, client_secret=CLIENT_SECRET + "x").authenticate())
    texts.extend(make_client(simulator, client_secret=CLIENT_SECRET + "y").check_connection().problems)
    texts.extend(record.getMessage() for record in caplog.records)
    texts.extend(record.exc_text or "" for record in caplog.records)

    assert len(issued) >= 3 and len(caplog.records) > 20
    secrets = [CLIENT_SECRET, *issued]
    leaks = [(secret[:6], text) for text in texts for secret in secrets if secret in text]
    assert leaks == []
