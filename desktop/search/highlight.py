"""The words of the current search marked in a plain-text box, as extra selections: the text stays plain."""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from offline_cache.highlight import match_ranges, utf16_ranges

MATCH_BACKGROUND = QColor("#ffe082")


def highlight_matches(box: QPlainTextEdit, query: str) -> list[tuple[int, int]]:
    """Mark in ``box`` the words ``query`` matches (as the search index does); return their Qt positions.

    Extra selections colour ranges of the document without changing it: the citizen's text is
    set with ``setPlainText`` and never parsed as markup.
    """
    text = box.toPlainText()  # positions of the document as it holds the text (line breaks are one)
    ranges = utf16_ranges(text, match_ranges(text, query)) if query.strip() else []
    look = QTextCharFormat()
    look.setBackground(MATCH_BACKGROUND)
    look.setForeground(QColor("#000000"))
    selections = []
    for start, end in ranges:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(box.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format = look
        selections.append(selection)
    box.setExtraSelections(selections)
    if ranges:  # the first match in view
        first = QTextCursor(box.document())
        first.setPosition(ranges[0][0])
        box.setTextCursor(first)
        box.ensureCursorVisible()
    return ranges
