"""Token buckets: a burst, then the steady rate; each client its own bucket."""

from __future__ import annotations

import pytest

from web.ratelimit import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=2.0, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)   # one token comes back every 0.5 s
    clock.now = 0.25
    assert buckets.take("a") == pytest.approx(0.25)  # a refusal spends nothing
    clock.now = 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0


def test_clients_do_not_share_a_bucket() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=1.0, burst=1, clock=clock)
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0
    assert buckets.take("b") == 0.0


def test_a_bucket_refills_to_its_burst_only() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=10.0, burst=2, clock=clock)
    clock.now = 3600.0
    assert [buckets.take("a") > 0 for _ in range(3)] == [False, False, True]


def test_memory_stays_bounded_and_refilled_buckets_go_first() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=1.0, burst=1, clock=clock, max_keys=100)
    for number in range(100):
        buckets.take(f"idle-{number}")
    clock.now = 5.0  # the idle ones have refilled: nothing to remember about them
    assert buckets.take("busy") == 0.0
    buckets.take("newcomer")
    assert len(buckets._buckets) <= 100
    assert buckets.take("busy") > 0  # still remembered as empty
    for number in range(10_000):
        buckets.take(f"flood-{number}")
    assert len(buckets._buckets) <= 100


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBuckets(rate=0.0, burst=1)
    with pytest.raises(ValueError, match="burst"):
        TokenBuckets(rate=1.0, burst=0)
