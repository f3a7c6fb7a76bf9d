"""Typed calls of GenesysClient against the simulator: forms, one evaluation, scoring, errors, diagnosis."""

from __future__ import annotations

import dataclasses
import socket
from datetime import datetime, timedelta, timezone

import pytest

from genesys_quality.genesys import (
    BadRequestError,
    GenesysClient,
    GenesysConfigurationError,
    NotFoundError,
    PermissionDeniedError,
)
from genesys_quality.simulator import ALL_PERMISSIONS

from .conftest import CLIENT_ID, CLIENT_SECRET

UTC = timezone.utc
OCTOBER, NOVEMBER = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)


def test_form_version_is_fetched_with_its_question_groups(sim, make_client):
    client = make_client(sim)
    evaluation = sim.org.evaluations_in_month("2026-10-01")[0]
    form_id = evaluation["evaluationForm"]["id"]

    form = client.get_form_version(form_id)

    truth = next(f for f in sim.org.forms if f["id"] == form_id)
    assert form == truth and form["questionGroups"]


def test_form_versions_are_listed_oldest_first(sim, make_client):
    client = make_client(sim)
    context_id = sim.org.form_contexts()[0]
    truth = [f["id"] for f in sim.org.forms if f["contextId"] == context_id]

    versions = client.list_form_versions(truth[-1])

    assert [v["id"] for v in versions] == truth and len(truth) >= 2


def test_published_forms_latest_per_context_or_all_versions(sim, make_client):
    client = make_client(sim)
    latest = client.list_published_forms()
    every = client.list_published_forms(latest_per_context=False)
    assert {f["contextId"] for f in latest} == set(sim.org.form_contexts())
    assert len(latest) == len(sim.org.form_contexts()) < len(every)
    assert client.get_published_form(latest[0]["contextId"])["id"] == latest[0]["id"]


def test_single_evaluation_matches_the_organisation(sim, make_client):
    client = make_client(sim)
    evaluation = sim.org.evaluations_in_month("2026-10-01")[5]

    fetched = client.get_evaluation(evaluation["conversation"]["id"], evaluation["id"], expand="evaluator")

    assert fetched == sim.org.get_evaluation(evaluation["id"])
    assert "authorizedActions" in fetched


def test_unknown_form_raises_not_found_with_correlation_id(sim, make_client):
    client = make_client(sim)
    with pytest.raises(NotFoundError) as caught:
        client.get_form_version("00000000-0000-0000-0000-000000000000")
    assert caught.value.status == 404 and caught.value.code == "not.found"
    assert caught.value.correlation_id and caught.value.correlation_id in str(caught.value)
    assert "/api/v2/quality/forms/evaluations/00000000-0000-0000-0000-000000000000" in str(caught.value)


def test_scoring_reproduces_the_stored_total_score(sim, make_client):
    client = make_client(sim)
    evaluation = next(e for e in sim.org.evaluations_in_month("2026-10-01") if e.get("answers"))
    form = client.get_form_version(evaluation["evaluationForm"]["id"])

    scored = client.score_evaluation(form, evaluation["answers"])

    assert scored["totalScore"] == pytest.approx(evaluation["answers"]["totalScore"], abs=0.01)


def test_scoring_is_retried_because_it_is_read_only(sim, make_client):
    client = make_client(sim)
    evaluation = next(e for e in sim.org.evaluations_in_month("2026-10-01") if e.get("answers"))
    form = client.get_form_version(evaluation["evaluationForm"]["id"])
    sim.faults.fail_next(1, kind="503", path_pattern="evaluations/scoring")

    assert "totalScore" in client.score_evaluation(form, evaluation["answers"])
    assert client.stats.retries == 1


def test_bad_scoring_body_raises_bad_request_with_genesys_message(sim, make_client):
    client = make_client(sim)
    with pytest.raises(BadRequestError) as caught:
        client.score_evaluation({"id": "not-a-form"}, {"questionGroupScores": []})
    assert caught.value.code == "bad.request" and "evaluationForm" in str(caught.value)


@pytest.mark.parametrize(
    "start,end,options,match",
    [
        (OCTOBER, OCTOBER + timedelta(days=93), {}, "longer than the 3 months"),
        (OCTOBER, NOVEMBER, {"page_size": 101}, "page_size=101"),
        (OCTOBER, NOVEMBER, {"page_size": 0}, "page_size=0"),
        (NOVEMBER, OCTOBER, {}, "is not after start"),
        (datetime(2026, 10, 1), NOVEMBER, {}, "no time zone"),
        (OCTOBER, NOVEMBER, {"date_field": "changedDate"}, "changedDate"),
        (OCTOBER, NOVEMBER, {"sort_order": "up"}, "sort_order"),
        (OCTOBER, NOVEMBER, {"start_page": 0}, "start_page=0"),
    ],
)
def test_search_arguments_genesys_would_refuse_fail_before_any_request(sim, make_client, start, end, options, match):
    client = make_client(sim)
    with pytest.raises(ValueError, match=match):
        client.search_evaluation_pages(start, end, **options)
    assert client.stats.requests == 0


def test_exactly_three_calendar_months_is_allowed(sim, make_client):
    client = make_client(sim)
    pages = client.search_evaluation_pages(datetime(2026, 8, 31, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))
    assert next(iter(pages)).page_number == 1


def test_missing_search_permission_names_the_permission_and_the_role(start_simulator, make_client):
    simulator = start_simulator(permissions=ALL_PERMISSIONS - {"quality:evaluation:searchAny"})
    client = make_client(simulator)

    with pytest.raises(PermissionDeniedError) as caught:
        list(client.search_evaluations(OCTOBER, NOVEMBER))

    assert caught.value.missing_permissions == ["quality:evaluation:searchAny"]
    assert caught.value.status == 403 and caught.value.code == "missing.permissions"
    message = str(caught.value)
    assert "quality:evaluation:searchAny" in message and "role" in message and "OAuth client" in message


def test_check_connection_reports_a_healthy_client(sim, make_client):
    report = make_client(sim).check_connection()
    assert report.ok and report.can_search and report.problems == []
    assert report.api_base_url == sim.base_url == report.login_base_url


def test_check_connection_without_search_falls_back_to_per_user_queries(start_simulator, make_client):
    simulator = start_simulator(permissions=ALL_PERMISSIONS - {"quality:evaluation:searchAny"})
    report = make_client(simulator).check_connection()
    assert report.ok and not report.can_search and report.problems == []
    assert any("quality:evaluation:searchAny" in note for note in report.notes)


def test_check_connection_names_every_missing_permission(start_simulator, make_client):
    simulator = start_simulator(permissions={"directory:user:view"})
    report = make_client(simulator).check_connection()
    assert not report.ok and not report.can_search
    assert any("quality:evaluationForm:view" in problem for problem in report.problems)
    assert any("quality:evaluation:searchAny" in note for note in report.notes)


def test_check_connection_names_the_fallback_permission_when_search_is_refused(start_simulator, make_client):
    simulator = start_simulator(permissions={"directory:user:view", "quality:evaluationForm:view"})
    report = make_client(simulator).check_connection()
    assert not report.ok
    assert any("quality:evaluation:view" in problem for problem in report.problems)


def test_check_connection_reports_bad_credentials_without_the_secret(sim, make_client):
    report = make_client(sim, client_secret="not-the-right-secret").check_connection()
    assert not report.ok and len(report.problems) == 1
    assert CLIENT_ID in report.problems[0] and "not-the-right-secret" not in report.problems[0]


def test_check_connection_to_a_wrong_host_says_to_check_the_region(make_client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    class Nowhere:
        base_url = f"http://127.0.0.1:{port}"

    report = make_client(Nowhere, max_retries=0).check_connection()
    assert not report.ok and "GENESYS_REGION" in report.problems[0]


def test_empty_credentials_are_refused_naming_the_variable():
    with pytest.raises(GenesysConfigurationError, match="GENESYS_CLIENT_SECRET"):
        GenesysClient(CLIENT_ID, "")
    with pytest.raises(GenesysConfigurationError, match="GENESYS_CLIENT_ID"):
        GenesysClient("", CLIENT_SECRET)


def test_client_is_a_context_manager_and_keeps_the_secret_out_of_its_repr(sim):
    with GenesysClient(CLIENT_ID, CLIENT_SECRET, api_base_url=sim.base_url) as client:
        assert client.list_published_forms()
        assert CLIENT_SECRET not in repr(client) and CLIENT_ID in repr(client)


def test_stats_snapshots_subtract_to_one_runs_traffic(sim, make_client):
    client = make_client(sim)
    client.authenticate()
    before = client.stats
    client.list_published_forms()
    client.list_published_forms()
    delta = client.stats.since(before)
    assert delta.requests == 2 and delta.tokens_fetched == 0
    assert delta.by_endpoint == {"GET /api/v2/quality/publishedforms/evaluations": 2}
    assert delta.bytes_received > 0 and delta.elapsed_seconds > 0
    assert dataclasses.asdict(delta)["requests"] == 2  # plain data, ready for run metadata


def test_search_dates_are_sent_in_utc_with_milliseconds():
    from genesys_quality.genesys.search import genesys_timestamp

    paris = timezone(timedelta(hours=2))
    assert genesys_timestamp(datetime(2026, 10, 1, 2, 0, 0, 123456, tzinfo=paris)) == "2026-10-01T00:00:00.123Z"
