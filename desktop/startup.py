"""Start-up dialogs: the training mode's demo-user picker and the login to a real platform."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.labels import role_name
from offline_cache.contract.models import DemoUser
from offline_cache.domain.model import Role
from offline_cache.profile import ProfileSettings

ROLE_ORDER = (Role.COORDINATOR, Role.EXECUTOR, Role.HEAD, Role.CURATOR, Role.ADMIN)


def _t(text: str) -> str:
    return QCoreApplication.translate("Startup", text)


def one_per_role(users: list[DemoUser]) -> list[tuple[Role, DemoUser]]:
    """The first demo user holding each role, preferring a municipal one (where most work is)."""
    ranked = sorted(users, key=lambda u: (0 if "город" in u.org_name.lower() else 1, u.login))
    picked = []
    for role in ROLE_ORDER:
        user = next((u for u in ranked if role in u.roles), None)
        if user is not None:
            picked.append((role, user))
    return picked


class UserPicker(QDialog):
    """Choose whom to work as in the training mode: one demo user per role."""

    def __init__(self, users: list[DemoUser], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_t("POS Desk — учебный режим"))
        layout = QVBoxLayout(self)
        intro = QLabel(_t("Учебный режим на демонстрационных данных. Выберите, за кого работать:"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setObjectName("demoUsers")
        for role, user in one_per_role(users):
            entry = QListWidgetItem(f"{role_name(role)} — {user.full_name}\n{user.org_name}")
            entry.setData(Qt.ItemDataRole.UserRole, user.login)
            entry.setData(Qt.ItemDataRole.UserRole + 1, user.password)
            self.list.addItem(entry)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _i: self.accept())
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_t("Войти"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 340)

    def choice(self) -> tuple[str, str]:
        entry = self.list.currentItem()
        return entry.data(Qt.ItemDataRole.UserRole), entry.data(Qt.ItemDataRole.UserRole + 1)


class LoginDialog(QDialog):
    """Platform address, login and password; CA bundle and proxy under «Параметры подключения»."""

    def __init__(self, saved: ProfileSettings | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_t("POS Desk — вход"))
        form = QFormLayout()
        self.url = QLineEdit(saved.platform_url if saved else "https://")
        self.login = QLineEdit(saved.login if saved else "")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.ca_bundle = QLineEdit(saved.ca_bundle or "" if saved else "")
        self.ca_bundle.setPlaceholderText(_t("например, корневой сертификат Минцифры (PEM)"))
        browse = QPushButton(_t("Выбрать…"))
        browse.clicked.connect(self._pick_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle)
        ca_row.addWidget(browse)
        self.proxy = QLineEdit(saved.proxy or "" if saved else "")
        self.proxy.setPlaceholderText("http://proxy:3128")
        form.addRow(_t("Адрес платформы:"), self.url)
        form.addRow(_t("Логин:"), self.login)
        form.addRow(_t("Пароль:"), self.password)
        form.addRow(_t("Сертификат УЦ:"), ca_row)
        form.addRow(_t("Прокси:"), self.proxy)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # A remembered profile asks for the password; «Сменить пользователя» keeps the address, asks who.
        (self.password if saved and saved.login else self.login if saved else self.url).setFocus()

    def _pick_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, _t("Корневой сертификат"), "", "PEM (*.pem *.crt *.cer)")
        if path:
            self.ca_bundle.setText(path)

    def settings(self) -> ProfileSettings:
        return ProfileSettings(self.url.text().strip(), self.login.text().strip(),
                               self.ca_bundle.text().strip() or None, self.proxy.text().strip() or None)

    def show_error(self, message: str) -> None:
        self.error.setText(message)


class ReloginDialog(QDialog):
    """Log in again from the window (the session ended, or the window started offline): only the password."""

    def __init__(self, login: str, url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reloginDialog")
        self.setWindowTitle(_t("POS Desk — вход на платформу"))
        intro = QLabel(_t("Войдите снова, чтобы отправить накопленные действия. Окно и несохранённая работа "
                          "останутся на месте."))
        intro.setWordWrap(True)
        form = QFormLayout()
        who = QLabel(login)
        who.setTextFormat(Qt.TextFormat.PlainText)
        where = QLabel(url)
        where.setTextFormat(Qt.TextFormat.PlainText)
        self.password = QLineEdit()
        self.password.setObjectName("reloginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_t("Платформа:"), where)
        form.addRow(_t("Логин:"), who)
        form.addRow(_t("Пароль:"), self.password)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_t("Войти"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
        self.password.setFocus()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
