"""Indonesian mobile numbers, as visitors type them: 0812-3456-789, +62 812 3456 789, 62812….

Mobile numbers start with 08 at home (+62 8 from abroad) and have 10 to 13 digits written the
home way (08 and 8–11 more). Stored and sent as 628… (what WhatsApp gateways take)."""
from __future__ import annotations

import re

from ..queue import QueueError
from ..messages import N_


class InvalidPhone(QueueError):
    status = 400


_SEPARATORS = re.compile(r"[\s\-.()]")


def normalise(value: object) -> str:
    if not isinstance(value, str) or len(value) > 24:
        raise InvalidPhone(N_("Nomor WhatsApp tidak valid: tulis nomor ponsel, mis. 0812 3456 7890."))
    digits = _SEPARATORS.sub("", value)
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    if not re.fullmatch(r"08[1-9][0-9]{7,10}", digits):
        raise InvalidPhone(N_("Nomor WhatsApp tidak valid: nomor ponsel Indonesia dimulai 08 dan "
                           "terdiri dari 10–13 angka, mis. 0812 3456 7890."))
    return "62" + digits[1:]


def masked(phone: str) -> str:
    """What the console may show: 62812****7890."""
    return phone[:5] + "*" * max(0, len(phone) - 9) + phone[-4:] if len(phone) > 9 else "****"
