"""The local-memory cache bounded in bytes (passerelle/locmem.py) that holds pages and fragments
in each worker when there is no Redis."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import caches

from passerelle.locmem import ENTRY_OVERHEAD, SizedLocMemCache


def make_cache(**options):
    return SizedLocMemCache(f"test-{uuid.uuid4().hex}", {"OPTIONS": options, "TIMEOUT": 60})


def counted(cache):
    """The bytes the cache should count: recomputed from what it really holds."""
    return sum(len(key) + len(value) + ENTRY_OVERHEAD for key, value in cache._cache.items())


def test_the_bytes_held_stay_under_the_budget_and_the_oldest_go_first():
    cache = make_cache(MAX_ENTRIES=10_000, MAX_BYTES=100_000)
    for i in range(50):
        cache.set(f"page-{i}", b"x" * 10_000)
    assert counted(cache) == cache.size <= 100_000
    kept = [i for i in range(50) if cache.get(f"page-{i}") is not None]
    assert 5 <= len(kept) < 10
    assert kept == list(range(50 - len(kept), 50))


def test_an_entry_read_recently_is_kept_before_older_ones():
    cache = make_cache(MAX_BYTES=50_000)
    for i in range(4):
        cache.set(f"page-{i}", b"x" * 10_000)
    assert cache.get("page-0") is not None
    cache.set("page-4", b"x" * 10_000)
    cache.set("page-5", b"x" * 10_000)
    assert cache.get("page-0") is not None
    assert cache.get("page-1") is None


def test_a_value_larger_than_the_budget_is_not_kept():
    cache = make_cache(MAX_BYTES=10_000)
    cache.set("small", "a")
    cache.set("huge", b"x" * 20_000)
    assert cache.get("huge") is None
    assert cache.size == counted(cache)


def test_overwriting_deleting_and_clearing_keep_the_count_right():
    cache = make_cache(MAX_BYTES=1_000_000)
    for i in range(100):
        cache.set("same", "y" * i)
    assert len(cache._cache) == 1
    assert cache.size == counted(cache)
    cache.set_many({f"k{i}": "z" * 100 for i in range(20)})
    cache.delete("same")
    cache.delete("absent")
    assert cache.size == counted(cache)
    cache.clear()
    assert cache.size == 0
    assert cache.get("k1") is None


def test_the_entry_count_still_bounds_it_and_culling_keeps_the_count_right():
    cache = make_cache(MAX_ENTRIES=30, MAX_BYTES=10_000_000)
    for i in range(100):
        cache.set(f"k{i}", "v" * 50)
    assert len(cache._cache) <= 30
    assert cache.size == counted(cache)


def test_expired_entries_leave_the_count_when_read():
    cache = make_cache(MAX_BYTES=1_000_000)
    cache.set("gone", "v" * 500, timeout=-1)
    cache.set("kept", "v")
    assert cache.get("gone") is None
    assert cache.size == counted(cache)
    assert cache.get("kept") == "v"


def test_incr_counts_and_keeps_the_expiry():
    cache = make_cache(MAX_BYTES=1_000_000)
    cache.set("n", 1, timeout=None)
    assert cache.incr("n", 41) == 42
    assert cache.get("n") == 42
    assert cache._expire_info[cache.make_key("n")] is None
    assert cache.size == counted(cache)
    with pytest.raises(ValueError):
        cache.incr("missing")


def test_two_handles_on_one_location_share_one_count():
    name = f"test-{uuid.uuid4().hex}"
    first = SizedLocMemCache(name, {"OPTIONS": {"MAX_BYTES": 30_000}})
    second = SizedLocMemCache(name, {"OPTIONS": {"MAX_BYTES": 30_000}})
    for i in range(10):
        (first if i % 2 else second).set(f"k{i}", b"x" * 5_000)
    assert first.size == second.size == counted(first) <= 30_000


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="with Redis these caches are in Redis")
def test_the_in_memory_page_and_forum_caches_are_bounded_in_bytes():
    for alias in ("pages", "forum_html", "forum_pages"):
        cache = caches[alias]
        assert isinstance(cache, SizedLocMemCache), alias
        assert cache._max_bytes <= 8 * 2**20, alias
