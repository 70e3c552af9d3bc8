"""Texts the card puts above everything: a head's return comment, the earlier answer, undelivered actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from desktop.labels import short_action_name
from offline_cache.contract.models import Item
from offline_cache.domain.model import Action, Status
from offline_cache.store.cache import Cache

Local = Callable[[datetime | None], str]


def _t(text: str) -> str:
    return QCoreApplication.translate("CardNotices", text)


def staff_names(reader: Cache) -> dict[str, str]:
    return {str(row[0]): str(row[1]) for row in reader.db.execute("SELECT id, full_name FROM staff")}


def return_comment(item: Item, names: dict[str, str], local: Local) -> str | None:
    """The whole comment of the last return for revision, while the item is on revision."""
    if item.status is not Status.RETURNED:
        return None
    for h in reversed(item.history):
        if h.action == Action.RETURN_FOR_REVISION.value:
            who = names.get(h.actor_id or "", h.actor_id or "")
            return _t("Возвращено на доработку — {who}, {at}:\n{comment}").format(
                who=who, at=local(h.at), comment=h.comment)
    return None


def earlier_answer(reader: Cache, item: Item) -> str | None:
    """For re-processing: the earlier answer, its rating and which organisation gave it (from the cache)."""
    # A redirected item has a parent too; only a low rating's one is re-processing.
    if item.parent_id is None or not any(h.action == "reprocessing" for h in item.history):
        return None
    parent = reader.item(item.parent_id)
    if parent is None:
        # The platform's first history entry still says whose answer was rated and how.
        told = next((h.comment for h in item.history if h.action == "reprocessing" and h.comment), "")
        text = _t("Повторное рассмотрение. Предыдущее рассмотрение (id {id}) не загружено в кэш: "
                  "текст прежнего ответа недоступен.").format(id=item.parent_id)
        return text + (_t("\nПлатформа сообщает: {told}.").format(told=told) if told else "")
    row = reader.db.execute("SELECT json_extract(record, '$.name') FROM organisations WHERE id=?",
                            [parent.org_id]).fetchone()
    org = str(row[0]) if row else parent.org_id
    rating = _t("оценка заявителя: {n} из 5").format(n=parent.rating) if parent.rating is not None \
        else _t("оценки нет")
    answer = parent.answer.text if parent.answer else _t("(текст ответа не сохранён в кэше)")
    return _t("Повторное рассмотрение. Предыдущий ответ дала организация «{org}», {rating}:\n{answer}").format(
        org=org, rating=rating, answer=answer)


def outbox_notice(reader: Cache, item_id: str, local: Local) -> tuple[str, bool]:
    """Undelivered actions of the item (when queued), and the platform's refusals: (text, is_problem)."""
    rows = reader.db.execute("SELECT action, created_at, state, last_error, acting_for FROM outbox WHERE item_id=? "
                             "AND state IN ('pending', 'sending', 'failed', 'conflict') ORDER BY id",
                             [item_id]).fetchall()
    names = staff_names(reader) if any(row[4] for row in rows) else {}
    lines, problem = [], False
    for action, created, state, error, acting_for in rows:
        name = f"«{short_action_name(str(action))}»"
        if acting_for:  # a deputy's action says for whom: «Утвердить» за Иванова И. И.
            name += " " + _t("за {who}").format(who=names.get(str(acting_for), str(acting_for)))
        when = local(datetime.fromisoformat(str(created)))
        if state in ("failed", "conflict"):
            problem = True
            what = _t("конфликт с платформой") if state == "conflict" else _t("платформа отказала")
            lines.append(_t("{a} не выполнено ({what}): {e}").format(a=name, what=what, e=error or ""))
        else:
            lines.append(_t("{a} ожидает отправки, поставлено {t}").format(a=name, t=when))
    return "\n".join(lines), problem


def outcome(reader: Cache, item: Item) -> str | None:
    """What the applicant has been told so far: the interim answer and its promise, a rejection, a redirect."""
    if item.rejection is not None:
        row = reader.db.execute("SELECT number, title FROM rejection_grounds WHERE code=?",
                                [item.rejection.ground_code]).fetchone()
        ground = f"{row[0]}. {row[1]}" if row else item.rejection.ground_code
        return _t("Отклонено по основанию «{ground}». Заявителю:\n{text}").format(ground=ground,
                                                                                 text=item.rejection.comment)
    if item.redirected_to_org_id is not None:
        row = reader.db.execute("SELECT json_extract(record, '$.name') FROM organisations WHERE id=?",
                                [item.redirected_to_org_id]).fetchone()
        return _t("Перенаправлено в организацию «{org}».").format(org=row[0] if row else item.redirected_to_org_id)
    if item.interim_answer is not None and item.answer is None:
        promised = item.interim_answer.planned_date
        when = promised.strftime("%d.%m.%Y") if promised else "—"
        return _t("Заявителю дан промежуточный ответ; окончательный обещан к {d}:\n{text}").format(
            d=when, text=item.interim_answer.text)
    return None
