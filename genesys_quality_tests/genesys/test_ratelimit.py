"""The request budget paces one client's threads together (real clock, lower bounds only)."""

import threading
import time

import pytest

from genesys_quality.genesys import RequestBudget


def test_budget_spaces_requests_after_the_burst():
    budget = RequestBudget(requests_per_minute=600, burst=1)  # one request per 0.1 s
    started = time.monotonic()
    for _ in range(6):
        budget.acquire()
    assert time.monotonic() - started >= 0.45


def test_budget_is_shared_by_all_threads():
    budget = RequestBudget(requests_per_minute=1200, burst=2)  # one request per 0.05 s
    started = time.monotonic()
    threads = [threading.Thread(target=lambda: [budget.acquire() for _ in range(5)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 20 requests, 2 free in the burst, 18 more at 0.05 s each
    assert time.monotonic() - started >= 0.85


def test_disabled_budget_never_waits():
    budget = RequestBudget(requests_per_minute=None)
    assert sum(budget.acquire() for _ in range(500)) == 0


def test_hold_pauses_even_a_disabled_budget():
    budget = RequestBudget(requests_per_minute=None)
    budget.hold_until(time.monotonic() + 0.3)
    assert budget.acquire() >= 0.25


def test_default_burst_is_one_second_of_budget():
    assert RequestBudget(300).burst == 5


@pytest.mark.parametrize("rate,burst", [(0, None), (-5, None), (60, 0)])
def test_invalid_budget_is_refused(rate, burst):
    with pytest.raises(ValueError):
        RequestBudget(rate, burst)
