"""Application start-up: Qt, translations, training mode or a real platform, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.main_window import MainWindow
from desktop.session import Session, open_session, training_session
from desktop.startup import LoginDialog, UserPicker
from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.contract.models import TokenPair
from offline_cache.errors import PlatformError
from offline_cache.profile import cache_path, load_tokens, remember, remembered, save_tokens
from offline_cache.resources import resources_dir
from offline_cache.store.database import CacheError
from offline_cache.store.vault import Profile, VaultError, create_key, stored_key


def _t(text: str) -> str:
    return QCoreApplication.translate("App", text)


def make_app(argv: list[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setOrganizationName("POS Desk")
    app.setApplicationName("POS Desk")
    install_translation(app)
    return app


def install_translation(app: QApplication, language: str | None = None) -> QTranslator | None:
    """Load resources/translations/posdesk_<language>.qm when present; Russian is built in."""
    language = language or QLocale.system().name().split("_")[0]
    if language == "ru":
        return None
    translator = QTranslator(app)
    if translator.load(str(Path(resources_dir()) / "translations" / f"posdesk_{language}.qm")):
        app.installTranslator(translator)
        return translator
    return None


def _training(port: int) -> tuple[Session, object] | None:
    from training_platform.server import TrainingServer, build_platform

    server = TrainingServer(build_platform("demo"), port=port)
    url = server.start()
    picker = UserPicker(server.platform.demo_users())
    if picker.exec() != UserPicker.DialogCode.Accepted:
        server.stop()
        return None
    login, password = picker.choice()
    return training_session(url, login, password), server


def _real() -> Session | None:
    saved = remembered()
    dialog = LoginDialog(saved)
    while dialog.exec() == LoginDialog.DialogCode.Accepted:
        settings = dialog.settings()
        profile = settings.profile

        def keep_tokens(tokens: TokenPair, profile: Profile = profile) -> None:
            save_tokens(profile, tokens)

        client = PlatformClient(ClientConfig(settings.platform_url, ca_bundle=settings.ca_bundle,
                                             proxy=settings.proxy), on_tokens=keep_tokens)
        try:
            key = stored_key(settings.profile)
            path = cache_path(settings.profile)
            if key is None and path.exists():
                raise CacheError(_t("Ключ локального кэша не найден в хранилище ключей. Файл кэша не тронут; "
                                    "обратитесь к администратору."))
            client.tokens = load_tokens(settings.profile)
            client.login(settings.login, dialog.password.text())
            key = key or create_key(settings.profile)
            remember(settings)
            return open_session(client, path, key, training=False)
        except (VaultError, CacheError, PlatformError) as exc:
            client.close()
            dialog.show_error(exc.message)
    return None


def run(argv: list[str], *, training: bool = False, port: int = 0) -> int:
    app = make_app(argv)
    server = None
    try:
        if training or remembered() is None:
            started = _training(port)
            if started is None:
                return 0
            session, server = started
        else:
            real = _real()
            if real is None:
                return 0
            session = real
    except (VaultError, CacheError, PlatformError) as exc:
        QMessageBox.critical(None, "POS Desk", exc.message)
        return 2
    window = MainWindow(session)
    window.show()
    code = app.exec()
    session.close()
    if server is not None:
        server.stop()  # type: ignore[attr-defined]
    return int(code)


if __name__ == "__main__":
    sys.exit(run(sys.argv))
