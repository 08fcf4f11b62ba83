"""The outbox: messages written with the decision to send them, then delivered, each exactly once if at all possible.

Delivery follows the healthchecks idiom: a sender *claims* a row with a conditional UPDATE (``state =
'pending'`` and due, or ``'sending'`` with a claim older than the claim timeout, left by a process that
died) and commits before it talks to the server; only the holder of the claim's token can mark the row
sent. Two schedulers, or a scheduler and ``tracker remind``, therefore never send the same row twice.

The one window no SMTP client can close: the server accepted the message and the process died before
its "sent" was committed. The row is then claimed again after the claim timeout and sent a second time,
with the same Message-ID, so mail clients and the recipient can tell it is a repeat (the footer of the
mail says so).

Each message goes to one address: a 5xx answer for it marks that row failed and the batch goes on; a
4xx, a timeout or a dropped connection puts the row back with a doubling delay; a server that cannot be
reached postpones the whole batch. The row keeps the last error, every attempt is logged, nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import uuid
from dataclasses import dataclass, field

from email.utils import format_datetime
from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from tracker.db import transaction, utcnow
from tracker.reminders.models import OutboxAttempt, OutboxMessage
from tracker.reminders.policy import Delivery
from tracker.reminders.smtp import FileTransport, SendResult, TransportUnavailable

log = logging.getLogger("tracker.reminders.outbox")


def dialect_insert(session: Session, model):
    """INSERT that supports ON CONFLICT DO NOTHING on the session's database (SQLite or PostgreSQL)."""
    name = session.get_bind().dialect.name
    return (pg_insert if name == "postgresql" else sqlite_insert)(model)


def enqueue(session: Session, *, key: str, kind: str, recipient: str, recipient_name: str, subject: str,
            message_id: str, mime: str, for_date: dt.date, items: list[dict],
            now: dt.datetime | None = None) -> int | None:
    """Write one message to the outbox; None when a message with the same key is there already."""
    now = now or utcnow()
    statement = dialect_insert(session, OutboxMessage).values(
        key=key, kind=kind, recipient=recipient, recipient_name=recipient_name, subject=subject[:500],
        message_id=message_id, mime=mime, for_date=for_date, items=items, state="pending", attempts=0,
        next_attempt_at=now, created_at=now,
    ).on_conflict_do_nothing(index_elements=["key"]).returning(OutboxMessage.id)
    return session.scalar(statement)


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    transport: str = ""
    sent: list[tuple[int, str, str]] = field(default_factory=list)
    retry: list[tuple[int, str, str]] = field(default_factory=list)
    failed: list[tuple[int, str, str]] = field(default_factory=list)
    #: the server could not be reached: why
    unavailable: str | None = None

    @property
    def attempted(self) -> int:
        """Messages tried."""
        return len(self.sent) + len(self.retry) + len(self.failed)


def due_ids(session: Session, now: dt.datetime, limit: int, claim_timeout: dt.timedelta) -> list[int]:
    """Ids of messages to try now: pending and due, or claimed by a sender that has not finished in time."""
    stale = now - claim_timeout
    query = (select(OutboxMessage.id)
             .where(or_(and_(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now),
                        and_(OutboxMessage.state == "sending", OutboxMessage.claimed_at < stale)))
             .order_by(OutboxMessage.id).limit(limit))
    return list(session.scalars(query))


def claim(session: Session, outbox_id: int, token: str, now: dt.datetime, claim_timeout: dt.timedelta) -> bool:
    """Take the message for sending (conditional UPDATE); False when someone else has it or it is not due."""
    stale = now - claim_timeout
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id,
               or_(and_(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now),
                   and_(OutboxMessage.state == "sending", OutboxMessage.claimed_at < stale)))
        .values(state="sending", claim_token=token, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _retry_or_fail(row: OutboxMessage, detail: str, now: dt.datetime, policy: Delivery) -> str:
    """Put a row back with backoff, or give up after the last attempt; return the outcome."""
    row.last_error = detail
    row.claim_token = None
    if row.attempts >= policy.max_attempts:
        row.state = "failed"
        return "failed"
    row.state = "pending"
    row.next_attempt_at = now + policy.backoff(row.attempts)
    return "retry"


def settle(session: Session, outbox_id: int, token: str, result: SendResult, now: dt.datetime, policy: Delivery,
           *, on_sent=None, on_failed=None) -> str:
    """Record the outcome of a claimed message; return "sent", "retry", "failed" or "lost" (claim taken over)."""
    row = session.get(OutboxMessage, outbox_id, populate_existing=True, with_for_update=True)
    if row is None or row.claim_token != token:
        log.warning("outbox %s: claim lost before the outcome (%s) was recorded", outbox_id, result.outcome)
        return "lost"
    if result.outcome == "sent":
        row.state, row.sent_at, row.last_error, row.claim_token = "sent", now, None, None
        outcome = "sent"
        if on_sent is not None:
            on_sent(session, row)
    elif result.outcome == "failed":
        row.state, row.last_error, row.claim_token = "failed", result.detail, None
        outcome = "failed"
    else:
        outcome = _retry_or_fail(row, result.detail, now, policy)
    if outcome == "failed" and on_failed is not None:
        on_failed(session, row)
    session.add(OutboxAttempt(outbox_id=row.id, at=now, outcome=outcome, detail=result.detail[:2000]))
    return outcome


def postpone(session: Session, ids: list[int], detail: str, now: dt.datetime, policy: Delivery,
             *, on_failed=None) -> list[tuple[int, str, str]]:
    """The server is unreachable: count an attempt on each pending message and set its next try."""
    postponed = []
    if not ids:
        return postponed
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.state == "pending")
                           .with_for_update())
    for row in rows:
        row.attempts += 1
        outcome = _retry_or_fail(row, detail, now, policy)
        if outcome == "failed" and on_failed is not None:
            on_failed(session, row)
        session.add(OutboxAttempt(outbox_id=row.id, at=now, outcome=outcome, detail=detail[:2000]))
        postponed.append((row.id, row.recipient, outcome))
    return postponed


def deliver_due(sessions: sessionmaker[Session], transport, *, sender: str, policy: Delivery,
                now: dt.datetime | None = None, limit: int | None = None, on_sent=None,
                on_failed=None) -> DeliveryReport:
    """Send what is due, one claimed row at a time; ``now`` pins the clock (tests).

    ``on_sent(session, row)`` and ``on_failed(session, row)`` run in the transaction that records the
    outcome (the task timeline is written there).
    """
    clock = (lambda: now) if now is not None else utcnow
    timeout = dt.timedelta(seconds=policy.claim_timeout_seconds)
    report = DeliveryReport(transport=transport.describe())
    with transaction(sessions) as session:
        ids = due_ids(session, clock(), limit or policy.batch_size, timeout)
    if not ids:
        return report
    try:
        transport.open()
    except TransportUnavailable as exc:
        report.unavailable = str(exc)
        with transaction(sessions) as session:
            for item in postpone(session, ids, str(exc), clock(), policy, on_failed=on_failed):
                (report.failed if item[2] == "failed" else report.retry).append((item[0], item[1], str(exc)))
        log.warning("outbox: %s; %d message(s) postponed", exc, len(ids))
        return report
    try:
        for position, outbox_id in enumerate(ids):
            token = uuid.uuid4().hex
            with transaction(sessions) as session:
                if not claim(session, outbox_id, token, clock(), timeout):
                    continue
                row = session.get(OutboxMessage, outbox_id, populate_existing=True)
                recipient, data = row.recipient, row.mime.encode("ascii")
                file_name = FileTransport.file_name(row.id, row.recipient, row.for_date)
            try:
                result = transport.send(sender, recipient, data, file_name)
            except TransportUnavailable as exc:
                report.unavailable = str(exc)
                with transaction(sessions) as session:
                    outcome = settle(session, outbox_id, token, SendResult("retry", str(exc)), clock(), policy,
                                     on_failed=on_failed)
                    (report.failed if outcome == "failed" else report.retry).append((outbox_id, recipient, str(exc)))
                    for item in postpone(session, ids[position + 1:], str(exc), clock(), policy, on_failed=on_failed):
                        (report.failed if item[2] == "failed" else report.retry).append((item[0], item[1], str(exc)))
                log.warning("outbox: connection lost: %s", exc)
                break
            with transaction(sessions) as session:
                outcome = settle(session, outbox_id, token, result, clock(), policy, on_sent=on_sent,
                                 on_failed=on_failed)
            target = {"sent": report.sent, "failed": report.failed}.get(outcome, report.retry)
            if outcome != "lost":
                target.append((outbox_id, recipient, result.detail))
    finally:
        transport.close()
    return report


# -- the admin's "send again" -------------------------------------------------------------------------


class ResendError(Exception):
    """The message cannot be sent again now; the message is shown to the admin."""


def _with_new_identity(mime: str, message_id: str, now: dt.datetime) -> str:
    """The stored message with another Message-ID and Date (a deliberate second copy, not a repeat)."""
    message = email.message_from_string(mime, policy=email.policy.SMTP)
    del message["Message-ID"]
    del message["Date"]
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(now)
    return message.as_bytes().decode("ascii")


def resend(session: Session, row: OutboxMessage, *, actor, now: dt.datetime | None = None) -> OutboxMessage:
    """Send a message again: a pending or failed one is retried now; a sent one is copied with a new Message-ID.

    A delivered message gets a new Message-ID because the admin resends it on purpose (the recipient
    says it never arrived); with the old one, the receiving server could drop it as a duplicate.
    """
    now = now or utcnow()
    if row.state == "sending":
        raise ResendError("Thư đang được gửi; hãy đợi kết quả rồi thử lại.")
    actor_id = getattr(actor, "id", None)
    if row.state in {"pending", "failed"}:
        row.state, row.attempts, row.next_attempt_at, row.claim_token = "pending", 0, now, None
        session.add(OutboxAttempt(outbox_id=row.id, at=now, outcome="resend", actor_id=actor_id,
                                  detail="Quản trị viên yêu cầu gửi lại"))
        session.flush()
        return row
    number = 1 + len(list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.resent_from_id == row.id))))
    key = f"{row.key}:resend:{number}"
    local, _, domain = row.message_id.strip("<>").partition("@")
    message_id = f"<{local}.r{number}@{domain}>"
    copy = OutboxMessage(key=key, kind=row.kind, recipient=row.recipient, recipient_name=row.recipient_name,
                         subject=row.subject, message_id=message_id, mime=_with_new_identity(row.mime, message_id, now),
                         for_date=row.for_date, items=list(row.items or []), state="pending", attempts=0,
                         next_attempt_at=now, created_at=now, resent_from_id=row.id)
    session.add(copy)
    session.flush()
    session.add(OutboxAttempt(outbox_id=row.id, at=now, outcome="resend", actor_id=actor_id,
                              detail=f"Quản trị viên gửi lại thành thư mới #{copy.id}"))
    session.add(OutboxAttempt(outbox_id=copy.id, at=now, outcome="resend", actor_id=actor_id,
                              detail=f"Bản gửi lại của thư #{row.id}"))
    session.flush()
    return copy
