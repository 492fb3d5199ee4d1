"""The WhatsApp outbox with a fake clock against a local fake gateway (tests/fake_gateway.py):
numbers checked, the messages a ticket gets, success, 5xx, time-out, a restart in the middle,
giving up, and the numbers erased at the end of the service day (UU 27/2022)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from fake_gateway import FakeGateway
from signage.hall import load_hall
from signage.notify import InvalidPhone, Outbox, normalise
from signage.notify.senders import HttpGateway, LogSender
from signage.service import HallService, InvalidRequest
from signage.store import Database
from signage.store import tables as t
from signage.visitor import Visitors
from support import ALWAYS_OPEN_HALL

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)      # Monday 09:00 WITA


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def gateway():
    fake = FakeGateway(stall_s=1.5)
    yield fake
    fake.close()


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'outbox.db'}"


@pytest.fixture
def hall(db_url, clock):
    db = Database(db_url)
    db.create_all()
    service = HallService(db, clock=clock)
    service.seed(load_hall(ALWAYS_OPEN_HALL))
    yield service
    db.dispose()


def sender(gateway, timeout=0.5):
    return HttpGateway(gateway.url, "rahasia", '{"target": {phone}, "message": {message}}', timeout=timeout)


def send_due(outbox, via):
    return [outbox.send_one(i, phone, body, via) for i, phone, body in outbox.due()]


@pytest.mark.parametrize("typed, stored", [
    ("0812-3456-7890", "6281234567890"), ("+62 812 3456 7890", "6281234567890"),
    ("6285212345678", "6285212345678"), ("0857 1234 567", "628571234567"), ("(0813) 1234.5678", "6281312345678"),
])
def test_indonesian_mobile_numbers(typed, stored):
    assert normalise(typed) == stored


@pytest.mark.parametrize("typed", ["", "0212345678", "08123", "0812345678901234", "+1 415 555 0100",
                                   "0812abcd567", "0802345678", None, 812345678, "0" * 30])
def test_not_a_mobile_number_is_refused_in_indonesian(typed):
    with pytest.raises(InvalidPhone, match="Nomor WhatsApp tidak valid"):
        normalise(typed)


def test_issued_message_reaches_the_gateway_with_the_link(hall, gateway):
    outbox = Outbox(hall)
    ticket = hall.issue_ticket("A")
    answer = outbox.add_contact(ticket["id"], "0812 3456 7890", "http://hall/t/abc", "sekitar 5–15 menit")
    assert answer["phone"] == "62812****7890" and answer["expires_at"] == "2026-11-30T16:00:00+00:00"
    assert send_due(outbox, sender(gateway)) == ["sent"]
    got = gateway.received[-1]
    assert got["headers"]["Authorization"] == "rahasia"
    assert got["body"]["target"] == "6281234567890"
    assert "A001" in got["body"]["message"] and "http://hall/t/abc" in got["body"]["message"]
    assert "sekitar 5–15 menit" in got["body"]["message"]
    assert outbox.due() == []


def test_near_and_called_messages_once_each(hall, clock, gateway):
    outbox = Outbox(hall)
    tickets = [hall.issue_ticket("A") for _ in range(6)]
    outbox.add_contact(tickets[5]["id"], "081234567890", "http://hall/t/x", None)
    send_due(outbox, sender(gateway))
    loket1 = next(c["id"] for c in hall.counters() if c["name"] == "Loket 1")
    hall.counter_action(loket1, "call-next")            # 4 ahead: nothing yet (near = 3)
    assert outbox.on_change() == 0
    hall.counter_action(loket1, "call-next")            # 3 ahead
    assert outbox.on_change() == 1 and outbox.on_change() == 0
    for _ in range(3):
        hall.counter_action(loket1, "call-next")
    assert outbox.on_change() == 0                       # "near" only once
    hall.counter_action(loket1, "call-next")            # this ticket
    hall.counter_action(loket1, "recall")
    assert outbox.on_change() == 1 and outbox.on_change() == 0
    assert send_due(outbox, sender(gateway)) == ["sent", "sent"]
    messages = gateway.messages()
    assert "A006: 3 lagi sebelum giliran Anda" in messages[1]
    assert messages[2] == "A006: silakan menuju Loket 1 sekarang."
    assert len(messages) == 3


def test_5xx_is_retried_with_backoff_and_a_restart_in_the_middle_loses_nothing(hall, clock, gateway, db_url):
    outbox = Outbox(hall)
    ticket = hall.issue_ticket("A")
    outbox.add_contact(ticket["id"], "081234567890", "http://hall/t/x", None)
    gateway.mode = "error"
    assert send_due(outbox, sender(gateway)) == ["pending"]
    report = outbox.report()
    assert report["retrying"][0]["error"].startswith("gateway menjawab 503")
    assert outbox.due() == []                            # not before its back-off
    clock.now += timedelta(seconds=10)
    assert send_due(outbox, sender(gateway)) == ["pending"]   # second failure: 30 s now
    clock.now += timedelta(seconds=29)
    assert outbox.due() == []
    # the server restarts: a new database connection and outbox on the same file
    hall.db.dispose()
    db = Database(db_url)
    restarted = Outbox(HallService(db, clock=clock))
    gateway.mode = "ok"
    clock.now += timedelta(seconds=1)
    assert send_due(restarted, sender(gateway)) == ["sent"]
    assert len(gateway.received) == 1 and gateway.attempts == 3
    assert restarted.report()["counts"] == {"pending": 0, "sent": 1, "failed": 0}
    db.dispose()


def test_a_time_out_is_retried_then_given_up_and_shown(hall, clock, gateway):
    outbox = Outbox(hall)
    outbox.set_config({"give_up_minutes": 2})
    ticket = hall.issue_ticket("A")
    outbox.add_contact(ticket["id"], "081234567890", "http://hall/t/x", None)
    gateway.mode = "stall"
    assert send_due(outbox, sender(gateway, timeout=0.3)) == ["pending"]
    assert "tidak menjawab" in outbox.report()["retrying"][0]["error"]
    for wait in (10, 30, 60):
        clock.now += timedelta(seconds=wait)
        results = send_due(outbox, sender(gateway, timeout=0.3))
    assert results == ["failed"]                         # the next wait would pass 2 minutes
    report = outbox.report()
    assert report["counts"]["failed"] == 1 and report["failures"][0]["number"] == "A001"
    assert report["failures"][0]["phone"] == "62812****7890"
    assert outbox.due() == []


def test_a_refused_token_is_not_retried(hall, gateway):
    outbox = Outbox(hall)
    ticket = hall.issue_ticket("A")
    outbox.add_contact(ticket["id"], "081234567890", "http://hall/t/x", None)
    gateway.mode = "reject"
    assert send_due(outbox, sender(gateway)) == ["failed"]
    assert "401" in outbox.report()["failures"][0]["error"]


def test_numbers_and_messages_are_erased_at_the_end_of_the_service_day(hall, clock):
    outbox = Outbox(hall)
    ticket = hall.issue_ticket("A")
    outbox.add_contact(ticket["id"], "081234567890", "http://hall/t/x", None)
    assert send_due(outbox, LogSender()) == ["sent"]
    clock.now = datetime(2026, 11, 30, 15, 59, tzinfo=timezone.utc)     # 23:59 WITA
    assert outbox.erase_expired() == 0
    clock.now = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)      # midnight WITA
    assert outbox.erase_expired() == 2
    with hall.db.read() as s:
        assert s.scalar(select(func.count()).select_from(t.NotifyContact)) == 0
        assert s.scalar(select(func.count()).select_from(t.OutboxMessage)) == 0


def test_settings_are_checked(hall):
    outbox = Outbox(hall)
    assert outbox.public_config()["sender"] == "log" and outbox.public_config()["token_set"] is False
    saved = outbox.set_config({"sender": "http", "url": "https://gw.example/send", "token": "x",
                               "template": "target={phone}&message={message}", "near": 5})
    assert saved["token_set"] is True and "token" not in saved and saved["near"] == 5
    for bad in ({"sender": "sms"}, {"sender": "http", "url": ""}, {"template": '{"a": {phone}}'},
                {"template": '{"a": "{phone}", "b": {message}}'}, {"near": 0}, {"url": "ftp://x"},
                {"header": "Bad Header"}, {"give_up_minutes": True}, {"other": 1}):
        with pytest.raises(InvalidRequest):
            outbox.set_config(bad)
    with pytest.raises(InvalidRequest):        # only a waiting ticket takes a number
        ticket = hall.issue_ticket("A")
        Visitors(hall).cancel(Visitors(hall).link(ticket["id"])["token"])
        outbox.add_contact(ticket["id"], "081234567890", "u", None)


def test_an_unreachable_gateway_is_retried(hall):
    from support import free_port
    outbox = Outbox(hall)
    ticket = hall.issue_ticket("A")
    outbox.add_contact(ticket["id"], "081234567890", "http://hall/t/x", None)
    nowhere = HttpGateway(f"http://127.0.0.1:{free_port()}/send", timeout=0.5)
    assert send_due(outbox, nowhere) == ["pending"]
    assert "tidak dapat dihubungi" in outbox.report()["retrying"][0]["error"]
