"""Screenshots of templates and checks (issue 11) for desktop.screenshots: the suggestions popup, the values
form, spelling underlined in the editor, and the checks dialog with every check visible."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop.main_window import MainWindow
from desktop.templates.checks import ChecksDialog
from desktop.templates.fill import FillDialog
from offline_cache.checks import DraftToCheck, check_draft, draft_for_item
from offline_cache.contract.models import Item
from offline_cache.domain.model import Action, Role
from offline_cache.templates import Purpose, TemplateLibrary

#: Answers that make the checks speak (each check fires on one of them).
WEAK_ANSWER = "Ваше обращение рассмотрено в установленном порядке, вапрос нахотится на контроле. {ответственный}."
WARNED_ANSWER = ("Уважаемый заявитель! Ваше обращение рассмотрено в установленном порядке. Вопрос взят на контроль, "
                 "ситуацыя будет рассмотрена специалистами администрации в ближайшее время.")
MISSPELT = ("Уважаемый заявитель! Яма на дароге по вашему адресу будет заделана, рабочие преедут "
            "в течении недели.")


def _settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    QApplication.processEvents()


def _save(widget: QWidget, path: Path, saved: list[Path]) -> None:
    _settle()
    widget.grab().save(str(path))
    saved.append(path)


def _wait_for_speller(window: MainWindow) -> None:
    support = window.actions_controller.templates
    if support.speller is None:
        loop = QEventLoop()
        support.spellerReady.connect(loop.quit)
        QTimer.singleShot(30_000, loop.quit)
        loop.exec()


def _earlier_answered(window: MainWindow) -> Item | None:
    """A re-processed item of this cache whose earlier answer is known (for the «copied» check)."""
    reader = window.session.reader
    rows = reader.db.execute("SELECT id FROM item_records WHERE json_extract(record, '$.parent_id') IS NOT NULL "
                             "LIMIT 50").fetchall()
    for (item_id,) in rows:
        item = reader.item(str(item_id))
        parent = reader.item(item.parent_id) if item is not None and item.parent_id else None
        if item is not None and parent is not None and parent.answer is not None:
            return item
    return None


def _select_with_category_template(window: MainWindow) -> None:
    """Show an item of the queue that a template of its own category fits (so the ranking shows), if any."""
    library = TemplateLibrary(window.session.reader)
    categories = {c for t in library.templates(Purpose.ANSWER) for c in t.category_codes}
    for row in range(min(window.model.rowCount(), 100)):
        item_id = window.model.item_id(row)
        item = window.session.reader.item(item_id) if item_id else None
        if item is not None and item.category_code in categories:
            window.panel.select_item(item.id)
            if Action.SAVE_DRAFT in window.card.offered:
                return
    return


def _manager_shot(window: MainWindow, role: Role, out: Path) -> list[Path]:
    """The manager as a head sees it: each template's answers and returns (counted on the worker)."""
    manager = window.actions_controller.templates.open_manager()
    if not manager.model.stats:
        loop = QEventLoop()
        window.session.worker.bridge.writeFinished.connect(lambda *_a: loop.quit())
        QTimer.singleShot(30_000, loop.quit)
        loop.exec()
    saved: list[Path] = []
    _save(manager, out / f"templates-manager-{role.value}.png", saved)
    manager.reject()
    return saved


def template_shots(window: MainWindow, role: Role, out: Path) -> list[Path]:
    """With an executor's item selected (as ``action_shots`` leaves it), picture templates and checks."""
    saved: list[Path] = []
    if role in (Role.HEAD, Role.CURATOR):
        return _manager_shot(window, role, out)
    _select_with_category_template(window)
    item = window.card.item
    if role is not Role.EXECUTOR or item is None or Action.SAVE_DRAFT not in window.card.offered:
        return saved
    support = window.actions_controller.templates
    editor = window.card.editor
    _wait_for_speller(window)
    editor.text.blockSignals(True)  # pictures, not drafts: nothing typed here is autosaved
    editor.text.setPlainText(MISSPELT)
    editor.text.blockSignals(False)
    support.highlighter.recheck()
    _save(window.card.answer_group, out / "templates-spelling.png", saved)
    editor.text.blockSignals(True)
    editor.text.clear()
    editor.text.blockSignals(False)
    support.assist.open()
    popup = support.assist.popup
    if popup is not None:
        popup.go(1)
        _save(popup, out / "templates-suggestions.png", saved)
        popup.reject()
    # The interim template before a planned date is chosen: the one value the message cannot give.
    library = TemplateLibrary(window.session.reader)
    interim = next((t for t in library.templates(Purpose.INTERIM) if "плановая" in t.text or "planned" in t.text),
                   None)
    if interim is not None:
        rendered = library.fill(interim.id, item)
        form = FillDialog(interim.title, interim.text, library.values(item), rendered.missing, window)
        form.show()
        for field in form.fields.values():
            field.setText("30.04.2026")
        _save(form, out / "templates-fill.png", saved)
        form.close()
    reader = window.session.reader
    earlier = _earlier_answered(window)
    copied = draft_for_item(reader, earlier, "", Purpose.INTERIM) if earlier is not None else None
    drafts = {
        "answer": draft_for_item(reader, item, WEAK_ANSWER, Purpose.ANSWER),
        "warnings": draft_for_item(reader, item, WARNED_ANSWER, Purpose.ANSWER),
        "rejection": draft_for_item(reader, item, "", Purpose.REJECTION),
    }
    if copied is not None and copied.earlier_answer:
        drafts["interim"] = DraftToCheck(copied.earlier_answer, Purpose.INTERIM, address=copied.address,
                                         earlier_answer=copied.earlier_answer, extra_words=copied.extra_words)
    else:
        earlier_text = f"Уважаемый заявитель! Работы по адресу {item.address} выполнены 12.03.2026."
        drafts["interim"] = DraftToCheck(earlier_text, Purpose.INTERIM, address=item.address,
                                         earlier_answer=earlier_text)
    names = {"answer": "На утверждение", "warnings": "На утверждение", "rejection": "Отклонить",
             "interim": "Промежуточный ответ"}
    for key, draft in drafts.items():
        dialog = ChecksDialog(check_draft(draft, support.speller), names[key], window)
        dialog.show()
        _save(dialog, out / f"templates-checks-{key}.png", saved)
        dialog.close()
    return saved
