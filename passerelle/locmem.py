"""A local-memory cache bounded by the bytes it holds, not only by its number of entries.

Without Redis, the forum's fragments and whole pages and the site's page cache live in each
worker's memory (``config/settings/base.py``). Django's ``LocMemCache`` bounds an entry count
(``MAX_ENTRIES``), but its entries range from a 200-byte id list to a 200 kB topic page, so an
entry count says little about memory: 300 whole pages may weigh 5 MB or 60 MB. This cache also
keeps the size of what it stores (its pickled values and keys, plus a fixed cost per entry for
the dictionaries that hold them) under ``OPTIONS["MAX_BYTES"]``, dropping the least recently
used entries first; a value larger than the whole budget is not kept at all.
"""

import pickle

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

# What an entry costs beside its key and value: the OrderedDict node, the expiry dict's slot,
# the key and value objects' headers: about 110 + 80 bytes per entry on CPython 3.11 (tracemalloc).
ENTRY_OVERHEAD = 200
DEFAULT_MAX_BYTES = 8 * 2**20

# Bytes held per cache name, shared like Django's own _caches (one store per LOCATION).
_sizes = {}


class SizedLocMemCache(LocMemCache):
    def __init__(self, name, params):
        super().__init__(name, params)
        self._max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", DEFAULT_MAX_BYTES))
        self._size = _sizes.setdefault(name, [0])

    @staticmethod
    def _cost(key, value):
        return len(key) + len(value) + ENTRY_OVERHEAD

    @property
    def size(self):
        """The bytes held, as counted against MAX_BYTES."""
        return self._size[0]

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        self._delete(key)
        super()._set(key, value, timeout)
        self._size[0] += self._cost(key, value)
        while self._size[0] > self._max_bytes and self._cache:
            old_key, old_value = self._cache.popitem()  # the least recently used
            del self._expire_info[old_key]
            self._size[0] -= self._cost(old_key, old_value)

    def _cull(self):
        if self._cull_frequency == 0:
            self._cache.clear()
            self._expire_info.clear()
            self._size[0] = 0
            return
        for _ in range(len(self._cache) // self._cull_frequency):
            key, value = self._cache.popitem()
            del self._expire_info[key]
            self._size[0] -= self._cost(key, value)

    def _delete(self, key):
        value = self._cache.get(key)
        if not super()._delete(key):
            return False
        self._size[0] -= self._cost(key, value)
        return True

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                raise ValueError(f"Key '{key}' not found")
            new_value = pickle.loads(self._cache[key]) + delta  # noqa: S301 -- our own pickle
            expires = self._expire_info[key]
            self._set(key, pickle.dumps(new_value, self.pickle_protocol))
            if key in self._cache:
                self._expire_info[key] = expires
        return new_value

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._size[0] = 0
