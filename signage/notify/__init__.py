"""Messages that reach the visitor's phone (WhatsApp): an outbox in the database, pluggable senders.

- `phone.py`: an Indonesian mobile number, checked and written one way (628…);
- `senders.py`: a generic HTTP gateway (URL, token, body template: the Indonesian WhatsApp
  gateways halls rent) and a log-only sender for halls without one;
- `outbox.py`: the use cases: a number for a ticket, the messages it gets (issued with its
  link, "N lagi sebelum giliran Anda", called), retries with backoff until a set time, erasing
  the numbers at the end of the service day (UU 27/2022), the console's view of failures;
- `worker.py`: the background task that sends, off the path of every call.
"""
from .outbox import Outbox
from .phone import InvalidPhone, normalise

__all__ = ["Outbox", "InvalidPhone", "normalise"]
