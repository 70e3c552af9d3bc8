"""Application start-up: Qt, translations, training mode or a real platform, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.main_window import MainWindow
from desktop.session import Session, open_session, training_session
from desktop.startup import LoginDialog, UserPicker
from desktop.wipe.dialog import finish_wipe
from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.contract.models import TokenPair
from offline_cache.errors import PlatformError
from offline_cache.profile import ProfileSettings, cache_path, load_tokens, remember, remembered, save_tokens
from offline_cache.resources import resources_dir
from offline_cache.store.database import CacheError
from offline_cache.store.vault import VaultError, create_key, stored_key


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
    """Load resources/translations/posdesk_<language>.qm when present; Russian is built in.

    Qt's own texts (OK/Cancel, file dialogs, context menus) follow the language the UI ends up in:
    Russian unless a POS Desk translation was loaded.
    """
    language = language or QLocale.system().name().split("_")[0]
    translator: QTranslator | None = None
    if language != "ru":
        translator = QTranslator(app)
        if translator.load(str(Path(resources_dir()) / "translations" / f"posdesk_{language}.qm")):
            app.installTranslator(translator)
        else:
            translator = None
    install_qt_translation(app, language if translator is not None else "ru")
    return translator


def install_qt_translation(app: QApplication, language: str) -> bool:
    """Qt's own translations (qtbase_<language>.qm, shipped with PySide6); replaces an earlier one."""
    for old in app.findChildren(QTranslator, "qtbase"):
        app.removeTranslator(old)
        old.setParent(None)  # the wrapper owns it now and frees it
    if language == "en":
        return True  # Qt's source texts are English
    translator = QTranslator(app)
    translator.setObjectName("qtbase")
    if translator.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
        return True
    translator.setParent(None)
    return False


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


def open_profile(settings: ProfileSettings, password: str, *, interval: float = 60.0) -> Session:
    """Log in to the profile's platform and open its cache.

    When the platform cannot be reached, a profile that has a cache opens from it, offline: the
    queue, the actions and the outbox work as usual, and the worker delivers what was queued once
    the platform is back (logging in again in the window if the remembered session has ended).
    """
    profile = settings.profile

    def keep_tokens(tokens: TokenPair) -> None:
        save_tokens(profile, tokens)

    key = stored_key(profile)
    path = cache_path(profile)
    if key is None and path.exists():
        raise CacheError(_t("Ключ локального кэша не найден в хранилище ключей. Файл кэша не тронут; "
                            "обратитесь к администратору."))
    client = PlatformClient(ClientConfig(settings.platform_url, ca_bundle=settings.ca_bundle, proxy=settings.proxy),
                            tokens=load_tokens(profile), on_tokens=keep_tokens)
    offline = ""
    try:
        try:
            client.login(settings.login, password)
        except PlatformError as exc:
            if not exc.retryable or key is None or not path.exists():
                raise
            offline = exc.message  # unreachable, but this profile's work is in its cache
        key = key or create_key(profile)
        session = open_session(client, path, key, training=False, interval=interval, offline_reason=offline)
    except BaseException:
        client.close()
        raise
    remember(settings)
    session.settings, session.login = settings, settings.login
    if not offline:  # the platform confirmed this password: the lock screen can check it offline (issue 12)
        session.worker.remember_password(password, settings.login)
    return session


def _real(saved: ProfileSettings | None = None) -> Session | None:
    dialog = LoginDialog(saved)
    while dialog.exec() == LoginDialog.DialogCode.Accepted:
        try:
            return open_profile(dialog.settings(), dialog.password.text())
        except (VaultError, CacheError, PlatformError) as exc:
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
            real = _real(remembered())
            if real is None:
                return 0
            session = real
    except (VaultError, CacheError, PlatformError) as exc:
        QMessageBox.critical(None, "POS Desk", exc.message)
        return 2
    while True:
        window = MainWindow(session)
        window.show()
        code = app.exec()
        session.close()
        wiped = finish_wipe(window)  # «Выйти и удалить локальные данные»: now that nothing holds the cache
        if wiped is not None:
            QMessageBox.information(None, "POS Desk", wiped)
        if server is not None or window.next_login is None:
            break
        # «Выйти» or «Сменить пользователя»: the login dialog again, in the same process.
        following = _real(window.next_login)
        if following is None:
            break
        session = following
    if server is not None:
        server.stop()  # type: ignore[attr-defined]
    return int(code)


if __name__ == "__main__":
    sys.exit(run(sys.argv))
