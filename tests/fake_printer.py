"""A fake ESC/POS network printer on 127.0.0.1 (a test double; not part of the package).

It listens like a printer's port 9100 and answers the real-time status queries the driver sends
(DLE EOT 1 online, DLE EOT 2 offline cause, DLE EOT 4 paper sensor) with status bytes as an
Epson-compatible printer does. Modes:
- "ok": takes bytes, reports online with paper;
- "paper_out": answers that the paper has run out (and keeps what it got aside, unprinted);
- "cover_open": answers that the cover is open;
- "stall": accepts the connection, then reads nothing and answers nothing;
- "refuse": not listening at all (connection refused), like a printer switched off.
`printed` holds the bytes of each connection that sent more than status queries in "ok" mode.
"""
from __future__ import annotations

import os
import select
import socket
import threading
import time

ONLINE = b"\x10\x04\x01"
CAUSE = b"\x10\x04\x02"
PAPER = b"\x10\x04\x04"
QUERIES = (ONLINE, CAUSE, PAPER)


class FakePrinter:
    def __init__(self, port: int = 0, mode: str = "ok"):
        self.mode = mode
        self.port = port
        self.printed: list[bytes] = []
        self.connections = 0
        self._sock: socket.socket | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if mode != "refuse":
            self.listen()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def listen(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        sock.listen(8)
        sock.settimeout(0.2)
        self._sock = sock
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def set_mode(self, mode: str) -> None:
        """Switch behaviour; "refuse" closes the port, anything else opens it again."""
        if mode == "refuse" and self._sock is not None:
            self.close()
        elif mode != "refuse" and self._sock is None:
            self.mode = mode
            self.listen()
        self.mode = mode

    def wait_printed(self, count: int = 1, timeout: float = 15.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.printed) >= count:
                    return list(self.printed)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.printed)} slips printed, waited for {count}")

    def close(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(2)
        if self._sock:
            self._sock.close()
        self._sock = None

    # ---- the printer ---------------------------------------------------------------------------
    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        received = bytearray()
        conn.settimeout(0.2)
        try:
            if self.mode == "stall":
                while not self._stop.is_set():      # hold the line, say nothing, read nothing
                    time.sleep(0.1)
                return
            pending = b""
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    break
                pending += chunk
                # answer each status query as it passes; keep everything else as print data
                while True:
                    hits = [(pending.find(q), q) for q in QUERIES if pending.find(q) >= 0]
                    if not hits:
                        keep = max(0, len(pending) - 2)      # a query may be split across reads
                        received += pending[:keep]
                        pending = pending[keep:]
                        break
                    at, query = min(hits)
                    received += pending[:at]
                    pending = pending[at + len(query):]
                    conn.sendall(bytes([self._status(query)]))
            received += pending
        finally:
            conn.close()
            data = bytes(received)
            if data and self.mode == "ok":
                with self._lock:
                    self.printed.append(data)

    def _status(self, query: bytes) -> int:
        if query == ONLINE:
            return 0x16 if self.mode == "ok" else 0x1E          # bit 3: offline
        if query == CAUSE:
            if self.mode == "cover_open":
                return 0x12 | 0x04
            if self.mode == "paper_out":
                return 0x12 | 0x20
            return 0x12
        if self.mode == "paper_out":
            return 0x12 | 0x60                                   # paper end sensor
        return 0x12


class FakeLinePrinter:
    """The same printer behind a device file: a pseudo-terminal stands in for /dev/usb/lp0 (USB,
    the usblp driver) or /dev/ttyUSB0 (serial). `path` is the device the driver opens."""

    def __init__(self, mode: str = "ok"):
        self.mode = mode
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        import tty
        tty.setraw(slave)                  # bytes pass as they are, no echo, no line discipline
        self._slave = slave
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        answerer = FakePrinter.__new__(FakePrinter)
        pending = b""
        while not self._stop.is_set():
            readable, _, _ = select.select([self.master], [], [], 0.1)
            if not readable:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            pending += chunk
            while True:
                hits = [(pending.find(q), q) for q in QUERIES if pending.find(q) >= 0]
                if not hits:
                    keep = max(0, len(pending) - 2)
                    self.received += pending[:keep]
                    pending = pending[keep:]
                    break
                at, query = min(hits)
                self.received += pending[:at]
                pending = pending[at + len(query):]
                answerer.mode = self.mode
                if self.mode != "stall":
                    os.write(self.master, bytes([FakePrinter._status(answerer, query)]))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        os.close(self.master)
        os.close(self._slave)
