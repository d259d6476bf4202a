"""Messages to applicants leave through an outbox: written in the step's transaction, sent after
commit or by the sweep, retried when the gateway fails, never sent twice."""

from __future__ import annotations

import pytest

from safetynet.cases import notifications
from safetynet.cases.models import Message


class CountingGateway:
    name = "counting"
    calls: list[str] = []
    fail = False

    def send(self, *, phone: str, text: str) -> str:
        CountingGateway.calls.append(text)
        if CountingGateway.fail:
            raise ConnectionError("gateway down")
        return f"ref-{len(CountingGateway.calls)}"


@pytest.fixture
def gateway(settings):
    settings.SAFETYNET_SMS_GATEWAY = "tests.cases.test_outbox.CountingGateway"
    CountingGateway.calls, CountingGateway.fail = [], False
    return CountingGateway


def _receipt(proc) -> Message:
    proc.accept()
    return Message.objects.get(case_id=proc.case_id, kind="receipt")


def test_a_message_is_sent_once_its_transaction_commits(proc, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _receipt(proc)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.channel) == ("sent", 1, "counting")
    assert len(gateway.calls) == 1


def test_without_sending_on_commit_the_sweep_sends_what_is_queued(
    proc, gateway, settings, django_capture_on_commit_callbacks
):
    settings.SAFETYNET_SMS_SEND_ON_COMMIT = False
    with django_capture_on_commit_callbacks(execute=True):
        message = _receipt(proc)
    message.refresh_from_db()
    assert message.status == "queued" and gateway.calls == []
    assert notifications.send_outbox() == {"tried": 1, "sent": 1, "failed": 0}
    message.refresh_from_db()
    assert message.status == "sent"
    assert notifications.send_outbox()["tried"] == 0  # nothing left: a second sweep sends nothing


def test_a_message_is_never_sent_twice(proc, gateway, settings, django_capture_on_commit_callbacks):
    settings.SAFETYNET_SMS_SEND_ON_COMMIT = False
    with django_capture_on_commit_callbacks(execute=True):
        message = _receipt(proc)
    notifications.deliver(message.pk)
    notifications.deliver(message.pk)
    notifications.send_outbox()
    assert len(gateway.calls) == 1


def test_a_failed_send_is_kept_and_retried_up_to_the_limit(
    proc, gateway, settings, django_capture_on_commit_callbacks
):
    settings.SAFETYNET_SMS_MAX_ATTEMPTS = 3
    gateway.fail = True
    with django_capture_on_commit_callbacks(execute=True):
        message = _receipt(proc)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == ("failed", 1, "gateway down")
    notifications.send_outbox()
    notifications.send_outbox()
    notifications.send_outbox()  # the limit is reached: no fourth attempt
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 3)
    assert len(gateway.calls) == 3


def test_a_recovered_gateway_delivers_on_the_next_sweep(
    proc, gateway, settings, django_capture_on_commit_callbacks
):
    gateway.fail = True
    with django_capture_on_commit_callbacks(execute=True):
        message = _receipt(proc)
    gateway.fail = False
    assert notifications.send_outbox()["sent"] == 1
    message.refresh_from_db()
    assert (message.status, message.error, message.provider_ref) == ("sent", "", "ref-2")


def test_a_rolled_back_step_leaves_nothing_in_the_outbox(users, poor_household, gateway, monkeypatch):
    from safetynet.cases import services
    from safetynet.cases.services import acceptance

    def broken_audit(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(acceptance, "record_audit", broken_audit)
    with pytest.raises(RuntimeError):
        services.accept_case(user=users["township_clerk"], household=poor_household)
    assert not Message.objects.exists() and gateway.calls == []
