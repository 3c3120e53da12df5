"""Is Surge able to read its feeds? A summary for the front page: when most
active feeds failed at their last poll (no internet, a DNS outage, a proxy
in the way), readers are told why there is nothing new, and editors get the
failing feeds themselves."""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from ingest.models import Feed

FEEDS_LISTED = 20  # for editors; the admin's feed list has them all
_HOST_OR_ADDRESS = re.compile(r"\b[\w-]+(?:\.[\w-]+)+(?::\d+)?\b")


@dataclass
class CrawlHealth:
    active: int  # feeds not paused
    failing: int  # of which the last poll failed
    common_error: str = ""  # the most frequent kind of error, host names left out
    common_error_feeds: int = 0
    failing_feeds: list[Feed] = field(default_factory=list)  # filled for editors only

    @property
    def in_trouble(self) -> bool:
        """Most feeds fail: worth telling readers (one failing feed is not)."""
        return self.active > 0 and self.failing * 2 > self.active


def crawl_health(*, details: bool = False) -> CrawlHealth:
    """One aggregate query; a second only when most feeds are failing."""
    counts = Feed.objects.filter(paused=False).aggregate(
        active=Count("id"), failing=Count("id", filter=Q(error_count__gte=1))
    )
    health = CrawlHealth(active=counts["active"], failing=counts["failing"])
    if not health.in_trouble:
        return health
    failing = Feed.objects.filter(paused=False, error_count__gte=1)
    kinds = Counter(error_kind(text) for text in failing.values_list("last_error", flat=True))
    health.common_error, health.common_error_feeds = kinds.most_common(1)[0]
    if details:
        health.failing_feeds = list(
            failing.select_related("source").order_by("-error_count", "url")[:FEEDS_LISTED]
        )
    return health


def error_kind(text: str) -> str:
    """A feed's last error with host names and addresses left out, so that
    'DNS lookup failed for a.example' and '... for b.example' count as one."""
    return _HOST_OR_ADDRESS.sub("…", text or "unknown error")
