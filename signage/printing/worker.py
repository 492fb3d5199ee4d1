"""The background task that drives the kiosks' printers.

Started in create_app. It sleeps until a job is queued (Printing.wake) or one falls due again,
then gives each printer its own green task, so one printer that is off and timing out never
holds up another. Network printers are driven with the server's green sockets; USB and serial
ones in an OS thread (signage.offload.off_loop). Idle printers are asked their state every
PROBE_EVERY, so the console shows paper out before the next visitor finds it.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from .service import Job, Printing
from ..offload import off_loop
from .transport import print_slip

log = logging.getLogger(__name__)
PROBE_EVERY = timedelta(seconds=30)
IDLE_WAIT = 5.0          # seconds between looks when nothing is due (probes, expiry)


class PrintWorker:
    def __init__(self, printing: Printing, socketio, duties=None):
        self.printing = printing
        self.socketio = socketio
        self.duties = duties       # store/duties.py: one process of the hall prints (None: this one)
        self._wake = socketio.server.eio.create_event()
        self._busy: set[int] = set()          # devices with a task talking to them right now
        printing.wake = self._wake.set

    def start(self) -> None:
        self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            try:
                wait = self.printing.next_due_in() if self.pass_once() else None
            except Exception:   # the printers must not stop the hall, nor this loop
                log.exception("print worker pass failed")
                wait = IDLE_WAIT
            self._wake.wait(timeout=IDLE_WAIT if wait is None else min(IDLE_WAIT, max(wait, 0.2)))
            self._wake.clear()

    def wake(self) -> None:
        self._wake.set()

    def pass_once(self) -> bool:
        """Start a task for each printer with work; False when another process prints."""
        if self.duties is not None and not self.duties.held:
            return False
        per_device: dict[int, list[Job]] = {}
        for job in self.printing.due():
            per_device.setdefault(job.device_id, []).append(job)
        for device_id, kind, address in self.printing.probes(PROBE_EVERY):
            per_device.setdefault(device_id, [])
            if not per_device[device_id]:
                per_device[device_id] = [Job(0, device_id, kind, address, b"", "")]   # a probe
        for device_id, jobs in per_device.items():
            if device_id in self._busy:
                continue
            self._busy.add(device_id)
            self.socketio.start_background_task(self._drive, device_id, jobs)
        return True

    def _drive(self, device_id: int, jobs: list[Job]) -> None:
        """One printer: its jobs in order; stop at the first that cannot print (the rest wait)."""
        try:
            for job in jobs:
                probe = job.id == 0
                status, printed = self._talk(job.kind, job.address, None if probe else job.data)
                self.printing.record(device_id, status, None if probe else job, printed)
                if not printed:
                    break
        except Exception:
            log.exception("printing to kiosk %s failed", device_id)
        finally:
            self._busy.discard(device_id)
            self._wake.set()

    @staticmethod
    def _talk(kind: str, address: str, data: bytes | None):
        if kind == "network":
            return print_slip(kind, address, data)        # green sockets, short time-outs
        return off_loop(print_slip, kind, address, data)  # USB, serial: an OS thread
