"""The default page cache: Django's file cache, culled at most once a minute.

Django's FileBasedCache decides whether to cull by listing its whole folder on
every write. Surge writes a version token for each story that changes (see
trends.page_versions), so that listing came to 1.4 ms a key with 300 files in
the folder and 8.5 ms with 2,900 (against 0.27 ms for the write itself):
ingest paid it for every story a batch touched, more as the folder filled.
Here a process lists the folder to cull only when it last did so more than
CULL_SECONDS ago; between two culls the folder can pass MAX_ENTRIES by what is
written in that time."""

import math
import time

from django.core.cache.backends.filebased import FileBasedCache

CULL_SECONDS = 60.0


class FolderCache(FileBasedCache):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._culled_at = -math.inf

    def _cull(self):
        now = time.monotonic()
        if now - self._culled_at < CULL_SECONDS:
            return
        self._culled_at = now
        super()._cull()
