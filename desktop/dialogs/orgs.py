"""Redirect: an organisation-tree picker with search, and the mandatory reason."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from desktop.dialogs.common import ok_cancel, plain_editor
from offline_cache.contract.models import OrganisationOut
from offline_cache.store.items import normalise


def _t(text: str) -> str:
    return QCoreApplication.translate("OrgPicker", text)


class RedirectDialog(QDialog):
    """Pick the competent organisation in the tree (search narrows it) and say why."""

    def __init__(self, organisations: list[OrganisationOut], own_org_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_t("Перенаправить в другую организацию"))
        self.resize(560, 520)
        layout = QVBoxLayout(self)
        self.search = QLineEdit()
        self.search.setObjectName("orgSearch")
        self.search.setPlaceholderText(_t("Поиск организации…"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.tree = QTreeWidget()
        self.tree.setObjectName("orgTree")
        self.tree.setHeaderHidden(True)
        layout.addWidget(self.tree, 2)
        layout.addWidget(QLabel(_t("Причина перенаправления (обязательно):")))
        self.reason = plain_editor("redirectReason")
        layout.addWidget(self.reason, 1)
        buttons, self.ok = ok_cancel(_t("Перенаправить"), self.accept, self.reject)
        layout.addWidget(buttons)
        self._entries: dict[str, QTreeWidgetItem] = {}
        self._build(organisations, own_org_id)
        self.search.textChanged.connect(self._narrow)
        self.tree.currentItemChanged.connect(lambda _c, _p: self._check())
        self.reason.textChanged.connect(self._check)
        self._check()
        self.search.setFocus()

    def _build(self, organisations: list[OrganisationOut], own: str) -> None:
        by_parent: dict[str | None, list[OrganisationOut]] = {}
        ids = {o.id for o in organisations}
        for org in sorted(organisations, key=lambda o: o.name):
            by_parent.setdefault(org.parent_id if org.parent_id in ids else None, []).append(org)

        def add(parent: QTreeWidget | QTreeWidgetItem, parent_id: str | None) -> None:
            for org in by_parent.get(parent_id, []):
                entry = QTreeWidgetItem(parent, [org.name])
                entry.setData(0, Qt.ItemDataRole.UserRole, org.id)
                if org.id == own:  # redirecting to oneself makes no sense; the node stays for orientation
                    entry.setFlags(entry.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                    entry.setText(0, _t("{name} (ваша организация)").format(name=org.name))
                self._entries[org.id] = entry
                add(entry, org.id)

        add(self.tree, None)
        self.tree.expandAll()

    def _narrow(self, text: str) -> None:
        words = normalise(text).split()
        visible: set[str] = set()
        for entry in self._entries.values():
            if all(w in normalise(entry.text(0)) for w in words):
                node: QTreeWidgetItem | None = entry
                while node is not None:  # keep the path to a match, so the tree still says where it is
                    visible.add(str(node.data(0, Qt.ItemDataRole.UserRole)))
                    node = node.parent()
        first = None
        for org_id, entry in self._entries.items():
            entry.setHidden(org_id not in visible)
            if first is None and words and org_id in visible and entry.flags() & Qt.ItemFlag.ItemIsSelectable \
                    and all(w in normalise(entry.text(0)) for w in words):
                first = entry
        if first is not None:
            self.tree.setCurrentItem(first)

    def select(self, org_id: str) -> None:
        self.tree.setCurrentItem(self._entries[org_id])

    def org_id(self) -> str:
        entry = self.tree.currentItem()
        if entry is None or not entry.flags() & Qt.ItemFlag.ItemIsSelectable or entry.isHidden():
            return ""
        return str(entry.data(0, Qt.ItemDataRole.UserRole))

    def _check(self) -> None:
        self.ok.setEnabled(bool(self.org_id()) and bool(self.reason.toPlainText().strip()))

    def payload(self) -> dict[str, object]:
        return {"org_id": self.org_id(), "comment": self.reason.toPlainText().strip()}
