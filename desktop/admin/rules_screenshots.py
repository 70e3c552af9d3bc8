"""Screenshots of «Авторазбор» and «Шаблоны организации» on the demo platform (run this module)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop.admin.online import AdminOps
from desktop.admin.org_templates import OrgTemplatesPage
from desktop.admin.rules import AutoRulesPage
from desktop.session import training_session
from offline_cache.admin_rules import AdminApi
from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.contract.admin_rules import AutoRuleIn, OrgTemplateIn
from training_platform.server import TrainingServer, build_platform

ZONE = ZoneInfo("Europe/Moscow")


def _settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    QApplication.processEvents()


def _wait(done: object, seconds: float = 30) -> None:
    for _ in range(int(seconds * 10)):
        if callable(done) and done():
            return
        _settle(100)


def _seed(url: str) -> None:
    """A few rules (one shadowed, to show a conflict) and templates, as the city's administrator would set them."""
    client = PlatformClient(ClientConfig(url))
    client.login("admin.city", "demo")
    api = AdminApi(client)
    api.create_rule(AutoRuleIn(name="Ямы — дорожному хозяйству", category_codes=["roads_potholes"],
                               target_executor_id="u-city-exec-3"))
    api.create_rule(AutoRuleIn(name="Ольховка — в поселение", category_codes=["roads", "yards", "lighting"],
                               municipality="с. Ольховка", target_org_id="org-village"))
    api.create_rule(AutoRuleIn(name="Освещение — ЖКХ", category_codes=["lighting"], target_executor_id="u-city-exec-1"))
    api.create_rule(AutoRuleIn(name="Уличные фонари", category_codes=["lighting"], target_executor_id="u-city-exec-2"))
    first = api.create_template(OrgTemplateIn(title="Ямочный ремонт: сроки", purpose="answer",
                                              category_code="roads_potholes",
                                              text="{заявитель|Уважаемый заявитель}! Ремонт выполнят до {срок}."))
    api.update_template(first.id, OrgTemplateIn(title="Ямочный ремонт: сроки", purpose="answer",
                                                category_code="roads_potholes",
                                                text="{заявитель|Уважаемый заявитель}! Яму заделают до {срок}."))
    old = api.create_template(OrgTemplateIn(title="Зимняя уборка (старый)", purpose="answer", category_code="snow",
                                            text="Уборка снега выполняется по графику."))
    api.set_retired(old.id, True)
    api.create_template(OrgTemplateIn(title="Промежуточный: закупка", purpose="interim",
                                      text="Работы включены в план закупок; ответ будет дан после их завершения."))
    client.close()


def shoot(out: Path) -> list[Path]:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    server = TrainingServer(build_platform("demo"))
    server.start()
    saved: list[Path] = []
    try:
        _seed(server.url)
        session = training_session(server.url, "admin.city", "demo")
        try:
            _wait(lambda: bool(session.reader.state("me")) and session.reader.item_count() > 0)
            _settle(1500)
            ops = AdminOps(session.worker, user_id=session.me.user.id)
            clock = server.platform.clock.now
            pages: list[tuple[QWidget, str]] = [
                (AutoRulesPage(session.reader, ops, session.me.organisation.id, ZONE, clock, lambda _t, _p: None),
                 "admin-rules.png"),
                (OrgTemplatesPage(session.reader, ops, session.me.organisation.id, ZONE, clock,
                                  lambda _t, _p: None), "admin-templates.png")]
            for page, name in pages:
                page.resize(1280, 720)
                page.show()
                if isinstance(page, AutoRulesPage):
                    page.show_cached()
                    page.table.selectRow(3)
                _settle()
                page.grab().save(str(out / name))
                saved.append(out / name)
                if isinstance(page, AutoRulesPage):
                    page.open_edit()
                    assert page.dialog is not None
                    _settle()
                    page.dialog.grab().save(str(out / "admin-rules-dialog.png"))
                    saved.append(out / "admin-rules-dialog.png")
                    page.dialog.reject()
                page.close()
            _offline = AutoRulesPage(session.reader, AdminOps(session.worker, user_id=session.me.user.id,
                                                              offline_reason="Нет связи с платформой: сервер не "
                                                                             "отвечает"),
                                     session.me.organisation.id, ZONE, clock, lambda _t, _p: None)
            _offline.resize(1280, 520)
            _offline.show()
            _settle()
            _offline.grab().save(str(out / "admin-rules-offline.png"))
            saved.append(out / "admin-rules-offline.png")
            ops.detach()
        finally:
            session.close()
    finally:
        server.stop()
    return saved


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for path in shoot(out):
        print(path, datetime.now().isoformat(timespec="seconds"))


if __name__ == "__main__":
    main()
