"""Messages to applicants through a pluggable channel, and the in-app inbox of staff.

A message is an outbox row written with its case in the service's transaction; it is handed to
the channel only after commit (a rolled-back refusal sends nothing): right after the commit in the
same process (`SAFETYNET_SMS_SEND_ON_COMMIT`, on by default), and in any case by the sweep
(`send_outbox`, run every few minutes by the job queue), which also retries failed sends up to
`SAFETYNET_SMS_MAX_ATTEMPTS`. A message is claimed by a conditional update before it is sent, so two
senders never send it twice. The channel is an `SmsGateway`; the default
`StoringGateway` delivers nothing outside the system: it logs the message and marks it sent, so
every message is kept and visible with the case. A real gateway is named by the setting
`SAFETYNET_SMS_GATEWAY` ("package.module.ClassName").
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("safetynet.sms")


class SmsGateway(Protocol):
    name: str

    def send(self, *, phone: str, text: str) -> str:
        """Deliver one text; return the provider's reference; raise on failure."""


class StoringGateway:
    """Default: keep and log only (no provider is contracted yet)."""

    name = "store"

    def send(self, *, phone: str, text: str) -> str:
        logger.info("SMS to %s****: %s", phone[:3], text)
        return f"local-{uuid.uuid4().hex[:12]}"


def gateway() -> SmsGateway:
    path = getattr(settings, "SAFETYNET_SMS_GATEWAY", "")
    return import_string(path)() if path else StoringGateway()


def _claim(message_id: int) -> bool:
    """Take the message for sending: only one sender wins a queued (or failed, retryable) message."""
    from safetynet.cases.models import Message

    limit = int(getattr(settings, "SAFETYNET_SMS_MAX_ATTEMPTS", 5))
    return bool(
        Message.objects.filter(pk=message_id, status__in=("queued", "failed"), attempts__lt=limit).update(
            status="sending", attempts=F("attempts") + 1, claimed_at=timezone.now()
        )
    )


def deliver(message_id: int) -> None:
    """Send one outbox message if nobody else is sending it; the outcome is kept on the row."""
    from safetynet.cases.models import Message

    if not _claim(message_id):
        return
    message = Message.objects.get(pk=message_id)
    channel = gateway()
    message.channel = channel.name
    if not message.recipient_phone:
        message.status = "no_phone"
    else:
        try:
            message.provider_ref = channel.send(phone=message.recipient_phone, text=message.body)
            message.status, message.sent_at, message.error = "sent", timezone.now(), ""
        except Exception as exc:  # the gateway is outside the system: keep the failure with the message
            logger.warning("SMS gateway failed for message %s: %s", message_id, exc)
            message.status, message.error = "failed", str(exc)[:200]
    message.save(update_fields=["channel", "status", "provider_ref", "sent_at", "error"])


def send_outbox(*, limit: int = 500, stale_after: dt.timedelta = dt.timedelta(minutes=10)) -> dict:
    """The sweep: send what is queued, retry what failed, and take back what a sender that died
    left "sending" for longer than `stale_after` (it may have reached the gateway: at least once)."""
    from safetynet.cases.models import Message

    Message.objects.filter(status="sending", claimed_at__lt=timezone.now() - stale_after).update(
        status="failed", error="发送中断，重试"
    )
    cap = int(getattr(settings, "SAFETYNET_SMS_MAX_ATTEMPTS", 5))
    ids = list(
        Message.objects.filter(status__in=("queued", "failed"), attempts__lt=cap)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        deliver(pk)
    done = Message.objects.filter(pk__in=ids)
    return {
        "tried": len(ids),
        "sent": done.filter(status="sent").count(),
        "failed": done.filter(status="failed").count(),
    }


def queue_message(case, kind: str, body: str):
    """Write a message to the applicant into the outbox now; it is sent once the surrounding
    transaction commits (or by the sweep)."""
    from safetynet.cases.models import Message

    message = Message.objects.create(
        case=case,
        kind=kind,
        recipient_name=case.applicant_name,
        recipient_phone=case.applicant_phone,
        body=body,
    )
    if getattr(settings, "SAFETYNET_SMS_SEND_ON_COMMIT", True):
        transaction.on_commit(lambda: deliver(message.pk))
    return message


def queue_household_message(household, kind: str, body: str):
    """A message to a household's head outside any case (a batch decision: 提标), sent the same way."""
    from safetynet.cases.models import Message

    head = household.head
    message = Message.objects.create(
        household=household,
        kind=kind,
        recipient_name=head.name if head else "",
        recipient_phone=(head.phone if head else "") or "",
        body=body,
    )
    if getattr(settings, "SAFETYNET_SMS_SEND_ON_COMMIT", True):
        transaction.on_commit(lambda: deliver(message.pk))
    return message


def notify_users(users, *, case, kind: str, title: str, key: str) -> int:
    """One inbox item per user and key (repeated scans add nothing)."""
    from safetynet.cases.models import InboxItem

    key = key[:120]
    users = list(users)
    have = set(InboxItem.objects.filter(key=key, user__in=users).values_list("user_id", flat=True))
    rows = [
        InboxItem(user=u, case=case, kind=kind, title=title[:200], key=key) for u in users if u.pk not in have
    ]
    InboxItem.objects.bulk_create(rows, ignore_conflicts=True)  # a concurrent scan may have added some
    return len(rows)
