import os

from surge import file_cache
from surge.env import cache_from_url
from surge.file_cache import CULL_SECONDS, FolderCache


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now


def small_cache(tmp_path, monkeypatch, max_entries=3):
    clock = FakeClock()
    monkeypatch.setattr(file_cache.time, "monotonic", clock.monotonic)
    cache = FolderCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": max_entries}})
    return cache, clock


def cached_files(tmp_path):
    return [name for name in os.listdir(tmp_path) if name.endswith(".djcache")]


def test_the_default_page_cache_is_the_folder_cache(tmp_path):
    assert cache_from_url("file://", tmp_path)["BACKEND"] == "surge.file_cache.FolderCache"


def test_a_write_soon_after_a_cull_does_not_list_the_folder(tmp_path, monkeypatch):
    cache, clock = small_cache(tmp_path, monkeypatch)
    listings = []
    list_files = cache._list_cache_files
    monkeypatch.setattr(cache, "_list_cache_files", lambda: listings.append(1) or list_files())
    cache.set("first", "a")
    clock.now += CULL_SECONDS - 1
    cache.set_many({"second": "b", "third": "c"})
    assert len(listings) == 1
    assert cache.get_many(["first", "second", "third"]) == {"first": "a", "second": "b", "third": "c"}


def test_the_folder_is_culled_once_the_interval_has_passed(tmp_path, monkeypatch):
    cache, clock = small_cache(tmp_path, monkeypatch, max_entries=3)
    cache.set_many({f"key{n}": n for n in range(6)})
    assert len(cached_files(tmp_path)) == 6  # culled before the first write only
    clock.now += CULL_SECONDS
    cache.set("one more", 6)
    assert len(cached_files(tmp_path)) < 6
