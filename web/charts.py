"""Server-rendered SVG charts: a story's velocity sparkline and its hourly
velocity chart. Only numbers and our own formatted labels go into the
markup, and every label is escaped, so the output is safe to mark safe."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Point:
    hour: datetime
    velocity: float


def sparkline(values: list[float], *, width: int = 96, height: int = 24, label: str = "") -> SafeString:
    """A small line of the last hours' velocity, highest point at the top."""
    title = escape(label or "velocity over the last hours")
    if len(values) < 2:
        return mark_safe(
            f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{title}"><title>{title}</title>'
            f'<line x1="0" y1="{height - 1}" x2="{width}" y2="{height - 1}" class="spark-base"/></svg>'
        )
    path = _polyline(values, width=width, height=height, pad=2)
    last_x, last_y = path[-1]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in path)
    return mark_safe(
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{title}"><title>{title}</title>'
        f'<polyline points="{points}" fill="none" class="spark-line"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2" class="spark-dot"/></svg>'
    )


def velocity_chart(points: list[Point], *, width: int = 640, height: int = 160) -> SafeString:
    """Hourly velocity as bars, with the peak value and the first and last
    hours labelled; a <title>/<desc> pair describes it to screen readers.

    The SVG holds only the bars and the baseline and stretches to the page's
    width at a fixed height (preserveAspectRatio="none"); the labels are
    HTML around it, so they keep the page's font size on a phone instead of
    shrinking with the drawing."""
    if not points:
        return mark_safe('<p class="chart-empty">No hourly measurement yet.</p>')
    peak = max(p.velocity for p in points) or 1.0
    slot = width / len(points)
    bar_w = max(slot * 0.8, 1.0)
    first, last = points[0], points[-1]
    first_label = escape(f"{first.hour:%d %b %H:%M}")
    last_label = escape(f"{last.hour:%d %b %H:%M}")
    desc = escape(
        f"Velocity each hour from {first.hour:%d %b %H:%M} to {last.hour:%d %b %H:%M} UTC; "
        f"peak {peak:.1f}, now {last.velocity:.1f}."
    )
    parts = [
        '<div class="chart-frame">',
        f'<div class="chart-y" aria-hidden="true"><span>{peak:.1f}</span><span>0</span></div>',
        f'<svg class="velocity-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-title chart-desc" preserveAspectRatio="none">',
        '<title id="chart-title">Hourly velocity</title>',
        f'<desc id="chart-desc">{desc}</desc>',
    ]
    for index, point in enumerate(points):
        bar_h = height * point.velocity / peak
        x = index * slot + (slot - bar_w) / 2
        hour_label = escape(f"{point.hour:%d %b %H:%M}: {point.velocity:.2f}")
        parts.append(
            f'<rect x="{x:.1f}" y="{height - bar_h:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
            f'class="bar"><title>{hour_label}</title></rect>'
        )
    parts.append(f'<line x1="0" y1="{height}" x2="{width}" y2="{height}" class="axis"/>')
    parts.append("</svg>")
    parts.append(
        f'<div class="chart-x" aria-hidden="true"><span>{first_label}</span>'
        f"<span>{last_label} UTC</span></div>"
    )
    parts.append("</div>")
    return mark_safe("".join(parts))


def _polyline(values: list[float], *, width: int, height: int, pad: int) -> list[tuple[float, float]]:
    top = max(values) or 1.0
    step = (width - 2 * pad) / (len(values) - 1)
    return [(pad + i * step, height - pad - (height - 2 * pad) * (v / top)) for i, v in enumerate(values)]
