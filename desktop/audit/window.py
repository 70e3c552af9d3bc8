"""The local audit log window: the encrypted cache's record of every action, exportable as CSV."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.clock import utc_label, zone_time
from offline_cache.audit import CSV_HEADER, AuditRow, audit_rows, export_csv
from offline_cache.audit_chain import verify as verify_chain
from offline_cache.store.cache import Cache

if TYPE_CHECKING:
    from desktop.session import Session

Index = QModelIndex | QPersistentModelIndex


def _t(text: str) -> str:
    return QCoreApplication.translate("AuditWindow", text)


#: What the table shows of each row, in the order of the CSV export's columns (offline_cache.audit.CSV_HEADER).
COLUMNS = ("user_name", "acting_for_name", "action_name", "item_number", "queued_at", "delivered_at", "state_name",
           "error")


class AuditModel(QAbstractTableModel):
    """Queued actions newest first, as ``offline_cache.audit.audit_rows`` reads them through the UI's reader."""

    def __init__(self, reader: Cache, zone: str, parent: Any = None) -> None:
        super().__init__(parent)
        self._reader = reader
        self._zone = ZoneInfo(zone)
        self.rows: list[AuditRow] = []
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = audit_rows(self._reader)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole \
                or not 0 <= section < len(COLUMNS):
            return None
        title = QCoreApplication.translate("AuditWindow", CSV_HEADER[section])
        return f"{title} ({utc_label(self._zone)})" if COLUMNS[section].endswith("_at") else title

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows) \
                or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        name = COLUMNS[index.column()]
        value = getattr(self.rows[index.row()], name)
        if name.endswith("_at") and value:
            return zone_time(datetime.fromisoformat(str(value)), self._zone)
        return "" if value is None else str(value)


class AuditWindow(QDialog):
    """The log as a table with «Экспорт в CSV…».

    Signals:
        exported(str): the log was written to this path.
    """

    exported = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditWindow")
        self.setWindowTitle(_t("Журнал действий"))
        self.model = AuditModel(session.reader, session.me.organisation.timezone, self)
        layout = QVBoxLayout(self)
        intro = QLabel(_t("Журнал хранится только в зашифрованной локальной копии: кто и за кого действовал, что "
                          "и с каким сообщением, когда действие поставлено в очередь и когда доставлено или почему "
                          "отклонено."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self._reader = session.reader
        self.integrity = QLabel()  # whether the hash chain holds (issue 12)
        self.integrity.setObjectName("auditIntegrity")
        self.integrity.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.integrity)
        self.check_integrity()
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.outcome = QLabel()
        self.outcome.setObjectName("auditResult")
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.outcome, 1)
        refresh = QPushButton(_t("Обновить"))
        refresh.clicked.connect(self.model.reload)
        refresh.clicked.connect(self.check_integrity)
        self.export_button = QPushButton(_t("Экспорт в CSV…"))
        self.export_button.setObjectName("exportAudit")
        self.export_button.clicked.connect(self.ask_where)
        row.addWidget(refresh)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        self.dialog: QFileDialog | None = None
        self.resize(1100, 520)

    @classmethod
    def show_for(cls, session: Session, parent: QWidget) -> AuditWindow:
        existing = parent.findChild(cls)
        window = existing if isinstance(existing, cls) else cls(session, parent)
        window.model.reload()
        window.check_integrity()
        window.show()
        window.activateWindow()
        return window

    def check_integrity(self) -> None:
        check = verify_chain(self._reader.db)
        self.integrity.setText(check.message)
        self.integrity.setStyleSheet("color: #2e7d32;" if check.intact else "color: #c62828; font-weight: bold;")

    def ask_where(self) -> None:
        dialog = QFileDialog(self, _t("Экспорт журнала"), str(Path.home() / "журнал-pos-desk.csv"),
                             _t("Таблица CSV (*.csv)"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.fileSelected.connect(self.export_to)
        self.dialog = dialog
        dialog.open()

    def export_to(self, path: str) -> None:
        try:
            written = export_csv(self.model.rows, Path(path))
        except OSError as exc:
            self.outcome.setText(_t("Не удалось сохранить журнал: {e}").format(e=exc.strerror or exc))
            return
        self.outcome.setText(_t("Журнал сохранён: {path} (записей: {n})").format(path=path, n=written))
        self.exported.emit(path)
