"""A horizontal bar chart drawn with QPainter (QtCharts is not shipped): labels, values and a value axis."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_HEIGHT = 22
GAP = 8
MARGIN = 10
AXIS_HEIGHT = 28
LABEL_MAX = 300  # px: longer organisation names are elided («…»), the tooltip in the table has them whole
BAR_COLOUR = QColor("#1976d2")
HIGHLIGHT = QColor("#ef6c00")


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of the chart: its label, its value (None: nothing to draw) and the value printed."""

    label: str
    value: float | None
    text: str


def nice_maximum(value: float) -> float:
    """The axis end: the smallest of 1, 2, 2.5 or 5 × 10^n at or above ``value`` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return float(next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value - 1e-12))


class BarChart(QWidget):
    """Bars from a common zero, longest for the largest value; the rows keep the order given.

    The geometry is computed apart from painting (``bar_rects``), so tests can check proportions.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rankingChart")
        self.bars: list[Bar] = []
        self.title = ""
        self.axis_format = "{:g}"
        self.highlighted = -1
        self.maximum: float | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(120)

    def set_bars(self, bars: list[Bar], title: str, axis_format: str = "{:g}", maximum: float | None = None) -> None:
        """Show ``bars`` top to bottom; ``axis_format`` formats the axis ticks (e.g. "{:.0%}"), ``maximum``
        fixes the axis end (1 for shares), else it is the next round number above the largest value."""
        self.bars, self.title, self.axis_format, self.maximum = list(bars), title, axis_format, maximum
        self.setAccessibleName(title)
        self.updateGeometry()
        self.update()

    def highlight(self, row: int) -> None:
        self.highlighted = row
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(640, self._top() + len(self.bars) * (BAR_HEIGHT + GAP) + AXIS_HEIGHT + MARGIN)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 120)

    # --- geometry ---------------------------------------------------------------------------

    def _top(self) -> int:
        return MARGIN + QFontMetrics(self.font()).height() + GAP

    def axis_maximum(self) -> float:
        values = [b.value for b in self.bars if b.value is not None]
        if self.maximum is not None:
            return max([self.maximum, *values])
        return nice_maximum(max(values, default=0.0))

    def label_width(self) -> int:
        metrics = QFontMetrics(self.font())
        return min(LABEL_MAX, max((metrics.horizontalAdvance(b.label) for b in self.bars), default=0)) + GAP

    def plot_area(self) -> QRectF:
        """Where bars go: right of the labels, leaving room for the value printed after the longest bar."""
        metrics = QFontMetrics(self.font())
        value_room = max((metrics.horizontalAdvance(b.text) for b in self.bars), default=0) + GAP
        left = MARGIN + self.label_width()
        width = max(10.0, self.width() - left - value_room - MARGIN)
        height = len(self.bars) * (BAR_HEIGHT + GAP)
        return QRectF(left, self._top(), width, height)

    def bar_rects(self) -> list[QRectF | None]:
        """Each bar's rectangle (None where there is no value): width proportional to the value."""
        area, top = self.plot_area(), self.axis_maximum()
        rects: list[QRectF | None] = []
        for n, bar in enumerate(self.bars):
            if bar.value is None:
                rects.append(None)
                continue
            y = area.top() + n * (BAR_HEIGHT + GAP)
            rects.append(QRectF(area.left(), y, area.width() * max(0.0, bar.value) / top, BAR_HEIGHT))
        return rects

    # --- painting ---------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        metrics = QFontMetrics(self.font())
        painter.setPen(text)
        painter.drawText(QRectF(MARGIN, MARGIN, self.width() - 2 * MARGIN, metrics.height()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), self.title)
        if not self.bars:
            painter.end()
            return
        area = self.plot_area()
        label_width = self.label_width() - GAP
        align_right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        align_left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for n, (bar, rect) in enumerate(zip(self.bars, self.bar_rects(), strict=True)):
            y = area.top() + n * (BAR_HEIGHT + GAP)
            painter.setPen(text)
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, label_width)
            painter.drawText(QRectF(MARGIN, y, label_width, BAR_HEIGHT), align_right, label)  # plain text
            end = area.left()
            if rect is not None:
                painter.fillRect(rect, HIGHLIGHT if n == self.highlighted else BAR_COLOUR)
                end = rect.right()
            painter.setPen(text)
            painter.drawText(QRectF(end + GAP / 2, y, self.width() - end, BAR_HEIGHT), align_left, bar.text)
        # The value axis: a line under the bars with ticks at 0, ¼ … 1 of its end.
        axis_y = area.bottom()
        grid = palette.color(QPalette.ColorRole.Mid)
        painter.setPen(grid)
        painter.drawLine(int(area.left()), int(area.top()) - 2, int(area.left()), int(axis_y))
        painter.drawLine(int(area.left()), int(axis_y), int(area.right()), int(axis_y))
        top = self.axis_maximum()
        for k in range(5):
            x = area.left() + area.width() * k / 4
            painter.setPen(grid)
            painter.drawLine(int(x), int(axis_y), int(x), int(axis_y) + 4)
            painter.setPen(text)
            label = self.axis_format.format(top * k / 4).replace(".", ",")
            painter.drawText(QRectF(x - 40, axis_y + 4, 80, metrics.height()),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), label)
        painter.end()
