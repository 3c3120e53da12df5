"""Template filters for the reader's pages: relative times on Surge's clock,
lifecycle badges, signed percentages, sparklines and citation links."""

from datetime import datetime

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from trends.models import CATEGORIES
from trends.words import briefs
from web import charts

register = template.Library()

BADGES = {
    "emerging": "● Emerging",
    "rising": "▲ Rising",
    "peaking": "▲ Peaking",
    "fading": "▼ Fading",
    "faded": "▽ Faded",
}


CATEGORY_NAMES = dict(CATEGORIES)


@register.simple_tag
def category_link(story, element_id: str = "") -> SafeString:
    """The story's category as a link to its page. A stored value that is not
    a category (written by hand, or before hints were checked) shows as
    General: stored data never breaks a page."""
    code = story.category if story.category in CATEGORY_NAMES else "general"
    return format_html(
        '<a class="category"{} href="{}">{}</a>',
        format_html(' id="{}"', element_id) if element_id else "",
        reverse("trends:category", args=[code]),
        CATEGORY_NAMES[code],
    )


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


CITATIONS_SHOWN = 3  # more than this and the rest fold into "+N more"


@register.filter
def as_sentence(text: str) -> str:
    """A brief line that reads as a sentence of its own (see trends.words.briefs)."""
    return briefs.as_sentence(text)


def citation_links(numbers: list[int], anchor: str, more_href: str, href=None) -> SafeString:
    """[1][2][4] +8 more: the first few numbered links, and one link to the
    whole list naming the numbers it stands for. `href(n)` says where [n]
    points (default: #anchor-n on this page)."""
    if not numbers:
        return SafeString("")
    href = href or (lambda n: f"#{anchor}-{n}")
    shown, folded = numbers[:CITATIONS_SHOWN], numbers[CITATIONS_SHOWN:]
    links = format_html_join(
        "",
        '<a href="{1}" class="cite" aria-label="source {0}">[{0}]</a>',
        ((n, href(n)) for n in shown),
    )
    if folded:
        also = ", ".join(str(n) for n in folded)
        links = format_html(
            '{}<a href="{}" class="cite cite-more" title="also sources {}" aria-label="{} more sources: {}">'
            "+{} more</a>",
            links,
            more_href,
            also,
            len(folded),
            also,
            len(folded),
        )
    return format_html('<sup class="citations">{}</sup>', links)


@register.simple_tag(takes_context=True)
def cite(context, citations: list[int], numbers: dict[int, int]) -> SafeString:
    """Numbered links to the coverage list (the page's citation_href says
    where an entry not shown on the page is); citations of articles no
    longer in the story are left out."""
    shown = sorted({numbers[aid] for aid in citations or [] if aid in numbers})
    return citation_links(shown, "ref", "#coverage", href=context.get("citation_href"))


@register.simple_tag
def digest_refs(refs: list[int]) -> SafeString:
    """The digest's numbered links to its list of sources."""
    return citation_links(sorted(set(refs)), "source", "#digest-sources")


@register.filter
def web_url(url: str) -> str:
    """The link if it is http(s), else nothing: feeds may carry javascript: links."""
    from ingest.canonical import is_web_url

    return url if url and is_web_url(url) else ""


@register.simple_tag
def configured_site_name() -> str:
    """The site's name where no context processor ran (the 500 page)."""
    from django.conf import settings

    return settings.SITE_NAME
