"""The driver against a fake network printer on 127.0.0.1: it takes bytes, refuses, stalls,
reports paper out and an open cover through the ESC/POS status queries."""
from __future__ import annotations

import time

import pytest

from fake_printer import FakePrinter
from signage.printing.slip import Slip, render
from signage.printing.transport import AddressError, check_address, print_slip

SLIP = render(Slip(hall="MPP", service="KPP Pratama Kupang", number="B007", issued="x", ahead=2), 80)


@pytest.fixture
def printer():
    fake = FakePrinter()
    yield fake
    fake.close()


def test_a_ready_printer_takes_the_slip_whole(printer):
    status, printed = print_slip("network", printer.address, SLIP)
    assert (status.state, printed) == ("ok", True)
    (got,) = printer.wait_printed(1)
    assert got == SLIP


def test_paper_out_sends_nothing_and_says_so(printer):
    printer.set_mode("paper_out")
    status, printed = print_slip("network", printer.address, SLIP)
    assert (status.state, printed) == ("paper_out", False)
    assert status.detail == "Kertas habis."
    time.sleep(0.3)
    assert printer.printed == []


def test_an_open_cover_is_told_apart(printer):
    printer.set_mode("cover_open")
    status, printed = print_slip("network", printer.address, SLIP)
    assert (status.state, printed) == ("cover_open", False)


def test_a_refused_connection_is_offline_at_once():
    """Nothing listens on port 1: a printer switched off answers like this."""
    started = time.monotonic()
    status, printed = print_slip("network", "127.0.0.1:1", SLIP)
    assert (status.state, printed) == ("offline", False)
    assert status.detail.startswith("Printer tidak terjangkau")
    assert time.monotonic() - started < 1


def test_a_stalled_printer_costs_a_few_seconds_not_the_hall(printer):
    printer.set_mode("stall")
    started = time.monotonic()
    status, printed = print_slip("network", printer.address, SLIP)
    took = time.monotonic() - started
    assert (status.state, printed) == ("offline", False)
    assert status.detail == "Printer tidak menjawab."
    assert 1.5 < took < 4          # one status read time-out (2 s), no more


def test_only_asking_sends_no_paper(printer):
    status, printed = print_slip("network", printer.address, None)
    assert (status.state, printed) == ("ok", False)
    time.sleep(0.3)
    assert printer.printed == []


@pytest.mark.parametrize("kind, given, tidy", [
    ("network", "192.168.1.50", "192.168.1.50:9100"), ("network", " printer-1.local:9101 ", "printer-1.local:9101"),
    ("usb", "0416:5011", "0416:5011"), ("usb", "04B8:0E15", "04b8:0e15"), ("usb", "/dev/usb/lp0", "/dev/usb/lp0"),
    ("serial", "/dev/ttyUSB0", "/dev/ttyUSB0:9600"), ("serial", "/dev/ttyS0:19200", "/dev/ttyS0:19200"),
    ("browser", "anything", ""), ("none", "", "")])
def test_addresses_are_tidied(kind, given, tidy):
    assert check_address(kind, given) == tidy


@pytest.mark.parametrize("kind, given", [
    ("network", ""), ("network", "10.0.0.1:70000"), ("network", "host/../x"), ("network", "a b"),
    ("usb", "zzzz:1234"), ("usb", "/dev/../etc/passwd"), ("usb", "/etc/passwd"),
    ("serial", "/dev/ttyUSB0:1234"), ("serial", "COM3"), ("laser", "x")])
def test_bad_addresses_are_refused_in_indonesian(kind, given):
    with pytest.raises(AddressError) as refused:
        check_address(kind, given)
    assert any(word in str(refused.value) for word in ("Alamat", "Port", "Printer", "Baud", "Jenis"))


@pytest.mark.parametrize("kind", ["usb", "serial"])
def test_a_printer_behind_a_device_file_prints_and_reports_paper_out(kind):
    """USB through the kernel's usblp device (/dev/usb/lp0) and a serial line: a pseudo-terminal
    stands in for the device, with the fake printer on its other side."""
    from fake_printer import FakeLinePrinter
    line = FakeLinePrinter()
    try:
        address = line.path if kind == "usb" else f"{line.path}:9600"
        status, printed = print_slip(kind, address, SLIP)
        assert (status.state, printed) == ("ok", True)
        deadline = time.monotonic() + 3
        while SLIP not in bytes(line.received) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert SLIP in bytes(line.received)
        line.mode = "paper_out"
        assert print_slip(kind, address, SLIP) == (print_slip(kind, address, None)[0], False)
        assert print_slip(kind, address, None)[0].state == "paper_out"
        line.mode = "stall"
        started = time.monotonic()
        status, printed = print_slip(kind, address, SLIP)
        assert (status.state, printed) == ("offline", False) and time.monotonic() - started < 4
    finally:
        line.close()
    assert print_slip(kind, "/dev/usb/lp9" if kind == "usb" else "/dev/ttyUSB9:9600", SLIP)[0].state == "offline"
