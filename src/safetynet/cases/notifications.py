"""Messages to applicants through a pluggable channel, and the in-app inbox of staff.

A message is stored with its case in the service's transaction and handed to the channel only
after commit (a rolled-back refusal sends nothing). The channel is an `SmsGateway`; the default
`StoringGateway` delivers nothing outside the system: it logs the message and marks it sent, so
every message is kept and visible with the case. A real gateway is named by the setting
`SAFETYNET_SMS_GATEWAY` ("package.module.ClassName").
"""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

from django.conf import settings
from django.db import transaction
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


def deliver(message_id: int) -> None:
    from safetynet.cases.models import Message

    message = Message.objects.get(pk=message_id)
    if message.status != "queued":
        return
    channel = gateway()
    message.channel = channel.name
    if not message.recipient_phone:
        message.status = "no_phone"
    else:
        try:
            message.provider_ref = channel.send(phone=message.recipient_phone, text=message.body)
            message.status, message.sent_at = "sent", timezone.now()
        except Exception as exc:  # the gateway is outside the system: keep the failure with the message
            logger.warning("SMS gateway failed for message %s: %s", message_id, exc)
            message.status, message.error = "failed", str(exc)[:200]
    message.save(update_fields=["channel", "status", "provider_ref", "sent_at", "error"])


def queue_message(case, kind: str, body: str):
    """Store a message to the applicant now; send it once the surrounding transaction commits."""
    from safetynet.cases.models import Message
    from safetynet.cases.tasks import deliver_message

    message = Message.objects.create(
        case=case,
        kind=kind,
        recipient_name=case.applicant_name,
        recipient_phone=case.applicant_phone,
        body=body,
    )
    transaction.on_commit(lambda: deliver_message(message.pk))
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
