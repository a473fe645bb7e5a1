"""/chart: a PNG of accusations per day by accuser → accused pair, readable on a phone.

`count_by_day` is pure; `render_chart` draws with matplotlib's object API on the Agg canvas
(no pyplot, no global state), imported inside the function so the bot starts fast. Words and
actor names are in the chat's language, except right-to-left ones: matplotlib draws Arabic
letters unjoined and left to right, so an Arabic chat's picture is labelled in English (its
caption is Arabic). May import feeds.model, bot.i18n, bot.frontend.format, bot.services.tally
and bot.model; matplotlib only inside render_chart.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.frontend.format import short_date
from bot.i18n import gettext_for, is_rtl, ngettext_for
from bot.services.tally import pair_label
from feeds.model import Level

if TYPE_CHECKING:
    from bot.model import Alert

MAX_SERIES = 6  # more colours than this cannot be told apart on a phone
WIDTH_PX, HEIGHT_PX, DPI = 1080, 1200, 100  # portrait: the legend sits under the bars
# Okabe–Ito: distinguishable with the common colour-vision deficiencies; grey for "other".
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
_OTHER_COLOUR = "#999999"


@dataclass(frozen=True, slots=True)
class DailyCounts:
    """Accusations per day: `days` dates, and per series one count per date."""

    dates: tuple[date, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]  # biggest first, the rest summed last
    has_other: bool = False  # the last series sums the pairs that did not get a colour

    @property
    def total(self) -> int:
        return sum(sum(counts) for _, counts in self.series)


def window_dates(days: int, now: datetime) -> tuple[date, ...]:
    """The last `days` UTC dates up to and including today."""
    today = now.astimezone(UTC).date()
    return tuple(today - timedelta(days=offset) for offset in range(days - 1, -1, -1))


def count_by_day(
    alerts: Sequence[Alert], *, days: int, now: datetime, language: str | None = None
) -> DailyCounts:
    """Blame alerts per UTC day (by when we stored them) and pair, the small pairs as "other"."""
    dates = window_dates(days, now)
    index = {day: i for i, day in enumerate(dates)}
    per_pair: dict[str, list[int]] = {}
    for alert in alerts:
        day = alert.created.astimezone(UTC).date()
        if alert.level is not Level.BLAME or day not in index or alert.created > now:
            continue
        for pair in dict.fromkeys(alert.pairs):
            per_pair.setdefault(pair_label(pair, language), [0] * days)[index[day]] += 1
    ranked = sorted(per_pair.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    if len(ranked) <= MAX_SERIES:
        return DailyCounts(dates, tuple((label, tuple(counts)) for label, counts in ranked))
    kept, rest = ranked[: MAX_SERIES - 1], ranked[MAX_SERIES - 1 :]
    other = [sum(column) for column in zip(*(counts for _, counts in rest), strict=True)]
    ngettext = ngettext_for(language)
    label = ngettext("other ({count} pair)", "other ({count} pairs)", len(rest))
    ranked = [*kept, (label.format(count=len(rest)), other)]
    series = tuple((label, tuple(counts)) for label, counts in ranked)
    return DailyCounts(dates, series, has_other=True)


def _tick_every(days: int) -> int:
    # About eight labels across 1080 px at 20 pt.
    return max(1, -(-days // 8))


def render_chart(
    alerts: Sequence[Alert], *, days: int, now: datetime, language: str | None = None
) -> bytes:
    """A PNG (1080×1200) of accusations per day by pair over the last `days` days."""
    from matplotlib.figure import Figure  # heavy: only when a chart is asked for
    from matplotlib.ticker import MaxNLocator

    if days < 1:
        raise ValueError("days must be at least 1")
    if is_rtl(language):
        language = None  # see the module docstring
    _, ngettext = gettext_for(language), ngettext_for(language)
    counts = count_by_day(alerts, days=days, now=now, language=language)
    period = _("{start} – {end} {year} (UTC)").format(
        start=short_date(counts.dates[0], language),
        end=short_date(counts.dates[-1], language),
        year=now.year,
    )
    title = ngettext("Who blamed whom, last day", "Who blamed whom, last {count} days", days)

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    figure.patch.set_facecolor("white")
    figure.text(
        0.5,
        0.955,
        title.format(count=days),
        ha="center",
        va="center",
        fontsize=34,
        fontweight="bold",
    )
    figure.text(0.5, 0.905, period, ha="center", va="center", fontsize=22, color="#444444")
    axes = figure.add_axes((0.1, 0.41, 0.86, 0.44))
    positions = list(range(days))
    if counts.total == 0:
        axes.set_axis_off()
        axes.text(
            0.5,
            0.5,
            ngettext(
                "No accusations in the last day", "No accusations in the last {count} days", days
            ).format(count=days),
            ha="center",
            va="center",
            fontsize=30,
            color="#444444",
            transform=axes.transAxes,
        )
    else:
        bottom = [0] * days
        for number, (label, values) in enumerate(counts.series):
            is_other = counts.has_other and number == len(counts.series) - 1
            colour = _OTHER_COLOUR if is_other else _COLOURS[number]
            axes.bar(
                positions,
                values,
                bottom=bottom,
                width=0.8,
                color=colour,
                label=label,
                edgecolor="white",
                linewidth=0.6,
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        step = _tick_every(days)
        # Label from the newest day backwards so today always has a tick.
        ticks = positions[::-1][::step][::-1]
        axes.set_xticks(ticks, [short_date(counts.dates[i], language) for i in ticks])
        axes.set_xlim(-0.6, days - 0.4)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.tick_params(labelsize=20)
        axes.set_ylabel(_("accusations per day"), fontsize=22)
        axes.grid(axis="y", color="#dddddd")
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        # The legend goes under the plot: a phone screen is narrow, long pair names are not.
        axes.legend(
            loc="upper left",
            bbox_to_anchor=(-0.08, -0.1),
            ncol=1,
            fontsize=22,
            frameon=False,
            title=ngettext("{count} accusation", "{count} accusations", counts.total).format(
                count=counts.total
            ),
            title_fontsize=22,
            alignment="left",
        )
    buffer = io.BytesIO()
    # No "Software" chunk: the same data gives the same bytes, whatever the matplotlib version.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
