"""The organisation is a pure function of its configuration: same seed, same org; another seed, another org."""

from __future__ import annotations

from genesys_quality.simulator import Organisation, Simulator

from .conftest import ANCHOR, GenesysSession, created_range, month_window


def snapshot(org: Organisation) -> dict:
    return {
        "evaluations": {month: org.evaluations_in_month(month) for month in org.months},
        "forms": org.forms,
        "users": org.users,
        "deleted": org.deleted_evaluation_ids,
    }


def test_same_seed_builds_the_identical_organisation():
    first = snapshot(Organisation(seed=5, anchor_month=ANCHOR, months=3))
    second = snapshot(Organisation(seed=5, anchor_month=ANCHOR, months=3))
    assert first == second
    assert sum(map(len, first["evaluations"].values())) > 300


def test_different_seed_builds_a_different_organisation():
    first = Organisation(seed=5, anchor_month=ANCHOR, months=1)
    second = Organisation(seed=6, anchor_month=ANCHOR, months=1)
    a, b = first.evaluations_in_month(ANCHOR), second.evaluations_in_month(ANCHOR)
    assert {e["id"] for e in a}.isdisjoint({e["id"] for e in b})
    assert [e.get("answers", {}).get("totalScore") for e in a] != [e.get("answers", {}).get("totalScore") for e in b]
    assert {u["id"] for u in first.users}.isdisjoint({u["id"] for u in second.users})


def test_two_simulators_with_one_seed_serve_identical_pages():
    window = [created_range(*month_window(ANCHOR))]
    pages = []
    for _ in range(2):
        with Simulator(seed=11, anchor_month=ANCHOR, months=1, rate_limit_per_minute=None) as sim:
            pages.append(GenesysSession(sim.base_url).search(window, page=2, size=25).json())
    assert pages[0] == pages[1] and len(pages[0]["results"]) == 25


def test_an_evaluation_is_the_same_whether_read_in_a_page_or_alone():
    org = Organisation(seed=8, anchor_month=ANCHOR, months=1, evaluations_per_month=500)
    month = org.evaluations_in_month(ANCHOR)
    for evaluation in month[::50]:
        alone = org.get_evaluation(evaluation["id"])
        alone.pop("authorizedActions")
        assert {k: v for k, v in alone.items() if k != "evaluationForm"} == {k: v for k, v in evaluation.items() if k != "evaluationForm"}
