"""A network cable between the screens and the server that a test can cut and mend.

A TCP relay on 127.0.0.1. Cut: bytes stop moving both ways and new connections are accepted but
never reach the server (like packets lost on a cut fibre, not a polite connection reset). Mend:
the connections that lived through the cut are dropped, as their TCP sessions would have timed
out, and new connections reach the server again.
"""
from __future__ import annotations

import select
import socket
import threading
import time


class Cable:
    def __init__(self, upstream_port: int):
        self.upstream = ("127.0.0.1", upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._cut = threading.Event()
        self._lock = threading.Lock()
        self._stranded: list[socket.socket] = []    # sockets that saw the cut
        self._live: list[tuple[socket.socket, socket.socket]] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            self._cut.set()
            for pair in self._live:
                self._stranded.extend(pair)
            self._live.clear()

    def mend(self) -> None:
        with self._lock:
            for sock in self._stranded:
                _close(sock)
            self._stranded = []
            self._cut.clear()

    def close(self) -> None:
        self._closed = True
        self.mend()
        with self._lock:
            for pair in self._live:
                for sock in pair:
                    _close(sock)
        _close(self._listener)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._cut.is_set():
                    self._stranded.append(client)      # the SYN got through; nothing else will
                    continue
                try:
                    server = socket.create_connection(self.upstream, timeout=5)
                except OSError:
                    _close(client)
                    continue
                pair = (client, server)
                self._live.append(pair)
            threading.Thread(target=self._pump, args=(pair,), daemon=True).start()

    def _pump(self, pair: tuple[socket.socket, socket.socket]) -> None:
        client, server = pair
        other = {client: server, server: client}
        try:
            while True:
                if self._cut.is_set():          # frozen until mend() closes both ends
                    time.sleep(0.05)
                    continue
                ready, _, _ = select.select([client, server], [], [], 0.05)
                if self._cut.is_set():
                    continue
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    other[sock].sendall(data)
        except (OSError, ValueError):           # ValueError: a socket mend() already closed
            return
        finally:
            _close(client)
            _close(server)
            with self._lock:
                if pair in self._live:
                    self._live.remove(pair)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
