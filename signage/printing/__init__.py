"""Printing the kiosks' tickets: the slip as ESC/POS bytes (slip.py), the printers on the
network, USB or serial line (transport.py), the jobs and each printer's state (service.py) and
the background task that prints and retries (worker.py). The browser's own print dialog stays
the fallback for a kiosk with no ESC/POS printer (see the README, "Kiosk and printer")."""
from .service import Printing, PrintingError
from .worker import PrintWorker

__all__ = ["Printing", "PrintingError", "PrintWorker"]
