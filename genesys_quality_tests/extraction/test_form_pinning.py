"""Pinning a month's form versions: one versions listing per form, a GET only when it is needed."""

from __future__ import annotations

from collections import Counter

import pytest
from upath import UPath

from genesys_quality.extraction.forms import FormVersionCache, pin_form_versions
from genesys_quality.genesys import GenesysClient
from genesys_quality.simulator import Simulator, SimulatorConfig

LISTING = "GET /api/v2/quality/forms/evaluations/{formId}/versions"
SINGLE = "GET /api/v2/quality/forms/evaluations/{formId}"


class SummaryListingClient(GenesysClient):
    """The real client over real HTTP, except that the versions listing loses its question groups:
    it stands in for an organisation whose listing returns summaries (the simulator's lists full
    versions, and genesys-api.md §3.1 does not say which a real org does)."""

    def list_form_versions(self, form_id):
        return [{k: v for k, v in version.items() if k != "questionGroups"} for version in super().list_form_versions(form_id)]


class EmptyGroupsListingClient(GenesysClient):
    """As above, but the summaries carry `questionGroups: []`: an empty list must not be pinned as a form."""

    def list_form_versions(self, form_id):
        return [{**version, "questionGroups": []} for version in super().list_form_versions(form_id)]


@pytest.fixture(scope="module")
def sim():
    config = SimulatorConfig(seed=5, anchor_month="2026-10-01", months=1, evaluations_per_month=30,
                             rate_limit_per_minute=None, token_lifetime_seconds=86400)
    with Simulator(config) as simulator:
        yield simulator


def pin(sim, cache_dir, client_class=GenesysClient):
    """(pinned, requests by endpoint) for every fetchable form version of the organisation."""
    references = {form["id"]: form["contextId"] for form in sim.org.forms}
    with client_class(sim.config.client_id, sim.config.client_secret, api_base_url=sim.base_url,
                      login_base_url=sim.base_url, requests_per_minute=None) as client:
        pinned = pin_form_versions(client, references, FormVersionCache(UPath(cache_dir)))
        return pinned, Counter(client.stats.by_endpoint)


def expected_pins(sim) -> dict[str, tuple[dict, int]]:
    """Each version as GET returns it, numbered within its form."""
    by_context = Counter()
    expected = {}
    for form in sim.org.forms:
        by_context[form["contextId"]] += 1
        expected[form["id"]] = (form, by_context[form["contextId"]])
    return expected


def test_versions_are_pinned_from_one_listing_per_form_when_it_carries_their_question_groups(sim, tmp_path):
    pinned, requests = pin(sim, tmp_path / "cache")
    contexts = len(sim.org.form_contexts())
    assert {form["id"]: (form, n) for form, n in pinned.forms} == expected_pins(sim)
    assert requests[LISTING] == contexts and requests[SINGLE] == 0
    assert pinned.fetched == len(sim.org.forms) > contexts and not pinned.missing

    again, requests = pin(sim, tmp_path / "cache")
    assert again.from_cache == len(sim.org.forms) and requests[LISTING] + requests[SINGLE] == 0


@pytest.mark.parametrize("client_class", [SummaryListingClient, EmptyGroupsListingClient])
def test_a_listing_without_question_groups_falls_back_to_one_get_per_version(sim, tmp_path, client_class):
    pinned, requests = pin(sim, tmp_path / "cache", client_class)
    assert {form["id"]: (form, n) for form, n in pinned.forms} == expected_pins(sim)
    assert requests[LISTING] == len(sim.org.form_contexts()) and requests[SINGLE] == len(sim.org.forms)
