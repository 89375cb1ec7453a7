"""The directory's chart of who is here by profession: an SVG drawn on the server, with each
bar's label and number as text, so it reads without JavaScript, and a description listing
the same numbers for screen readers."""

from __future__ import annotations

from dataclasses import dataclass

from community.accounts.models import PROFESSION_LABELS, Profession

#: each bar has its label above it, so the chart stays readable at a phone's width
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
GAP = 12
ROW = LABEL_HEIGHT + BAR_HEIGHT + GAP
BAR_WIDTH = 300
WIDTH = BAR_WIDTH + 50


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    total: int

    @property
    def description(self) -> str:
        return "; ".join(f"{bar.label}: {bar.count}" for bar in self.bars)


def professions(counts: list[tuple[Profession | None, int]]) -> Chart:
    """Bars for (profession, count) pairs, longest first as given; "Not given" for None."""
    most = max((count for _, count in counts), default=0)
    bars = [
        Bar(
            label=PROFESSION_LABELS[profession] if profession else "Not given",
            count=count,
            y=index * ROW,
            width=max(2, round(BAR_WIDTH * count / most)) if most else 0,
        )
        for index, (profession, count) in enumerate(counts)
    ]
    height = max(len(bars) * ROW - GAP, 0)
    return Chart(bars=bars, width=WIDTH, height=height, total=sum(c for _, c in counts))
