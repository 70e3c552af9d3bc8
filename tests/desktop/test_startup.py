"""Start-up dialogs: the training mode offers one demo user per role; the login dialog keeps settings."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.startup import LoginDialog, UserPicker, one_per_role
from offline_cache.contract.models import DemoUser
from offline_cache.domain.model import Role
from offline_cache.profile import ProfileSettings

USERS = [
    DemoUser(login="coord.region", password="demo", full_name="К Р", roles=[Role.COORDINATOR], org_name="Край"),
    DemoUser(login="coord.city", password="demo", full_name="К Г", roles=[Role.COORDINATOR], org_name="Город"),
    DemoUser(login="both", password="demo", full_name="И К", roles=[Role.EXECUTOR, Role.HEAD], org_name="Город"),
    DemoUser(login="cur", password="demo", full_name="К", roles=[Role.CURATOR], org_name="Край"),
    DemoUser(login="adm", password="demo", full_name="А", roles=[Role.ADMIN], org_name="Город"),
]


def test_one_demo_user_per_role_prefers_the_city() -> None:
    picked = {role: user.login for role, user in one_per_role(USERS)}
    assert picked == {Role.COORDINATOR: "coord.city", Role.EXECUTOR: "both", Role.HEAD: "both",
                      Role.CURATOR: "cur", Role.ADMIN: "adm"}


def test_picker_lists_roles_and_returns_credentials(qtbot: QtBot) -> None:
    picker = UserPicker(USERS)
    qtbot.addWidget(picker)
    assert picker.list.count() == 5
    assert picker.list.item(0).text().startswith("Координатор")
    picker.list.setCurrentRow(1)
    assert picker.choice() == ("both", "demo")


def test_login_dialog_prefills_the_remembered_profile(qtbot: QtBot) -> None:
    saved = ProfileSettings("https://pos.example", "ivanov", "/etc/ssl/ru.pem", "http://proxy:3128")
    dialog = LoginDialog(saved)
    qtbot.addWidget(dialog)
    dialog.password.setText("secret")
    assert dialog.settings() == saved
    dialog.show_error("<b>Хранилище ключей недоступно</b>")
    assert dialog.error.text() == "<b>Хранилище ключей недоступно</b>"  # shown literally
