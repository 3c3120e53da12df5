"""Template filters for the reader's pages: relative times on Surge's clock,
lifecycle badges, signed percentages, sparklines and citation links."""

from datetime import datetime

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from trends import charts

register = template.Library()

BADGES = {
    "emerging": "● Emerging",
    "rising": "▲ Rising",
    "peaking": "▲ Peaking",
    "fading": "▼ Fading",
    "faded": "▽ Faded",
}


@register.filter
def ago(moment: datetime | None, now: datetime) -> str:
    """'9h ago' on Surge's clock (the replayed one in the demo)."""
    if moment is None or now is None:
        return ""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)}h ago"
    return f"{int(seconds // 86400)}d ago"


@register.filter
def badge(lifecycle: str) -> str:
    return BADGES.get(lifecycle, lifecycle.title())


@register.filter
def signed_percent(value: float | None) -> str:
    if value is None:
        return "new"
    return f"{value:+.0f}%"


@register.filter
def spark(values: list[float]) -> SafeString:
    return charts.sparkline(values, label="velocity over the last 24 hours")


@register.simple_tag
def cite(citations: list[int], numbers: dict[int, int]) -> SafeString:
    """Numbered links to the coverage list; citations of articles no longer
    in the story are left out."""
    shown = sorted({numbers[aid] for aid in citations if aid in numbers})
    if not shown:
        return SafeString("")
    links = format_html_join(
        "",
        '<a href="#ref-{0}" class="cite" aria-label="source {0}">[{0}]</a>',
        ((n,) for n in shown),
    )
    return format_html('<sup class="citations">{}</sup>', links)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)


@register.filter
def web_url(url: str) -> str:
    """The link if it is http(s), else nothing: feeds may carry javascript: links."""
    from ingest.urls import is_web_url

    return url if url and is_web_url(url) else ""
