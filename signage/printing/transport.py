"""Talking to a thermal printer: network (port 9100), USB and serial, through python-escpos.

One call, `print_slip`, asks the printer how it is (the ESC/POS real-time status, DLE EOT 1, 2
and 4: online, cover, paper), sends the slip only when it can print, and asks once more after, so
paper that runs out in the middle is noticed. Every step has a short time-out: a printer that is
switched off, unplugged or stuck costs seconds, never the hall. These calls block: the worker
runs network printers in a green task (eventlet/gevent sockets) and USB/serial ones in an OS
thread (`signage.offload.off_loop`), never on the event loop itself.
"""
from __future__ import annotations

import os
import re
import select
import socket
from dataclasses import dataclass
from ..messages import N_

KINDS = ("network", "usb", "serial", "browser", "none")
DEVICE_KINDS = ("network", "usb", "serial")      # the server prints; the others do not
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 2.0

DLE_EOT_ONLINE = b"\x10\x04\x01"
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"
DLE_EOT_PAPER = b"\x10\x04\x04"

_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.\-]{0,252})$")
_USB_ID = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$")
_DEVICE_PATH = re.compile(r"^/dev/[A-Za-z0-9_./\-]{1,60}$")
BAUDS = (9600, 19200, 38400, 57600, 115200)


class AddressError(ValueError):
    """The address does not fit the connection type; the message says how it should look."""


@dataclass(frozen=True)
class Status:
    """What the printer said: state is ok, paper_low, paper_out, cover_open or offline."""

    state: str
    detail: str = ""

    @property
    def can_print(self) -> bool:
        return self.state in ("ok", "paper_low")


def check_address(kind: str, address: str) -> str:
    """The address, tidied, or AddressError in Indonesian."""
    address = (address or "").strip()
    if kind == "network":
        host, _, port = address.partition(":")
        if not _HOST.match(host or "") or ".." in host:
            raise AddressError(N_("Alamat printer jaringan: IP atau nama, mis. 192.168.1.50 atau 192.168.1.50:9100."))
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            raise AddressError(N_("Port printer jaringan: angka 1–65535 (biasanya 9100)."))
        return f"{host}:{int(port) if port else 9100}"
    if kind == "usb":
        if _USB_ID.match(address):
            return address.lower()
        if _DEVICE_PATH.match(address) and ".." not in address:
            return address
        raise AddressError(N_("Printer USB: ID vendor:produk, mis. 0416:5011 (lihat `lsusb`), "
                           "atau berkas perangkat, mis. /dev/usb/lp0."))
    if kind == "serial":
        path, _, baud = address.partition(":")
        if not _DEVICE_PATH.match(path) or ".." in path:
            raise AddressError(N_("Printer serial: berkas perangkat, mis. /dev/ttyUSB0 atau /dev/ttyS0:19200."))
        if baud and not (baud.isdigit() and int(baud) in BAUDS):
            raise AddressError(N_("Baud printer serial: salah satu dari %(names)s.", names=', '.join(map(str, BAUDS))))
        return f"{path}:{int(baud) if baud else 9600}"
    if kind in ("browser", "none"):
        return ""
    raise AddressError(N_("Jenis printer: %(names)s.", names=', '.join(KINDS)))


def print_slip(kind: str, address: str, data: bytes | None) -> tuple[Status, bool]:
    """Ask the printer's state and, when it can print, send `data` (None: only ask).
    Returns (the printer's state, whether the slip went out whole)."""
    try:
        printer = _open(kind, address)
    except Exception as exc:   # unreachable, refused, unplugged, no permission
        return Status("offline", f"Printer tidak terjangkau ({_reason(exc)})."), False
    try:
        before = _status(printer)
        if not before.can_print or data is None:
            return before, False
        printer._raw(data)
        after = _status(printer)
        if after.state == "offline":
            return Status("offline", "Printer tidak menjawab setelah mencetak."), False
        return after, after.state != "paper_out"
    except Exception as exc:
        return Status("offline", f"Koneksi printer terputus ({_reason(exc)})."), False
    finally:
        try:
            printer.close()
        except Exception:
            pass


def _status(printer) -> Status:
    online = _query(printer, DLE_EOT_ONLINE)
    if online is None:
        return Status("offline", "Printer tidak menjawab.")
    cause = _query(printer, DLE_EOT_OFFLINE_CAUSE)
    if cause is not None and cause & 0x04:
        return Status("cover_open", "Tutup printer terbuka.")
    paper = _query(printer, DLE_EOT_PAPER)
    if paper is not None and paper & 0x60 == 0x60:
        return Status("paper_out", "Kertas habis.")
    if cause is not None and cause & 0x20:
        return Status("paper_out", "Kertas habis.")
    if online & 0x08 or (cause is not None and cause & 0x40):
        return Status("offline", "Printer sedang tidak siap (error).")
    if paper is not None and paper & 0x0C == 0x0C:
        return Status("paper_low", "Kertas hampir habis.")
    return Status("ok", "")


def _query(printer, command: bytes) -> int | None:
    """One real-time status byte, or None when the printer does not answer in READ_TIMEOUT."""
    printer._raw(command)
    try:
        reply = printer._read()
    except (socket.timeout, TimeoutError):
        return None
    except Exception as exc:
        if "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower():
            return None
        raise
    for byte in reversed(bytes(reply or b"")):
        if byte & 0x93 == 0x12:           # the fixed bits of every status byte
            return byte
    return None


def _open(kind: str, address: str):
    if kind == "network":
        from escpos.printer import Network
        host, _, port = address.partition(":")
        printer = Network(host, int(port or 9100), timeout=CONNECT_TIMEOUT)
        printer.open()
        printer.device.settimeout(READ_TIMEOUT)
        return printer
    if kind == "usb":
        match = _USB_ID.match(address)
        if match is None:
            return _DeviceFile(address)
        from escpos.printer import Usb
        printer = Usb(int(match.group(1), 16), int(match.group(2), 16), timeout=int(READ_TIMEOUT * 1000))
        printer.open()
        return printer
    if kind == "serial":
        path, _, baud = address.partition(":")
        printer = _serial_class()(devfile=path, baudrate=int(baud or 9600), timeout=READ_TIMEOUT)
        printer.open()
        return printer
    raise AddressError(f"no printer to open for kind {kind!r}")


def _serial_class():
    from escpos.printer import Serial

    class _Serial(Serial):
        """python-escpos reads 16 bytes, which on a serial line waits out the whole time-out for
        a one-byte status; this returns as soon as the printer has answered."""

        def _read(self) -> bytes:
            first = self.device.read(1)
            return first + (self.device.read(self.device.in_waiting) if first and self.device.in_waiting else b"")

    return _Serial


class _DeviceFile:
    """A printer behind a device file (Linux usblp: /dev/usb/lp0): write the slip, read status."""

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)

    def _raw(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            _, writable, _ = select.select([], [self.fd], [], CONNECT_TIMEOUT)
            if not writable:
                raise TimeoutError("printer does not take data")
            view = view[os.write(self.fd, view):]

    def _read(self) -> bytes:
        readable, _, _ = select.select([self.fd], [], [], READ_TIMEOUT)
        if not readable:
            raise TimeoutError("no answer")
        return os.read(self.fd, 16)

    def close(self) -> None:
        os.close(self.fd)


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())[:120]
    return text or type(exc).__name__
