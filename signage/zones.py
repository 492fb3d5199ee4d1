"""Speaker zones: a hall with two rooms or floors gets one announcement queue per room.

Each counter belongs to a zone and each speaker display plays one zone (its display profile's,
or `/display?zone=`); a free announcement goes to one zone or to all. The zone "" is the hall's
main zone: every counter and speaker that was never given a zone is in it, so a hall database
from before zones existed works unchanged. Kept as one settings entry ("speaker_zones"), not
as columns of the counters or profiles tables:

    {"counters": {"5": "Lantai 2"}, "profiles": {"TV-lantai-2": "Lantai 2"}}
"""
from __future__ import annotations

import re

from sqlalchemy import select

from .accounts import Principal
from .service import InvalidRequest
from .store import tables as t
from .messages import N_

SETTING = "speaker_zones"
MAIN = ""                     # the hall's main zone
MAX_ZONE = 40
_ZONE = re.compile(r"^[^\W_](?:[\w .\-]*[^\W_])?$")


def zone_name(value: object, field: str = "zone") -> str:
    """A valid zone name ("" is the main zone)."""
    if value is None:
        return MAIN
    if not isinstance(value, str):
        raise InvalidRequest(N_("%(field)s: nama zona harus teks.", field=field))
    value = " ".join(value.split())
    if value and (len(value) > MAX_ZONE or not _ZONE.match(value)):
        raise InvalidRequest(N_("%(field)s: nama zona 1–%(max_zone)s huruf, angka, spasi, titik atau tanda hubung (kosong: zona utama).", field=field, max_zone=MAX_ZONE))
    return value


def stored(settings: dict) -> dict:
    raw = settings.get(SETTING)
    raw = raw if isinstance(raw, dict) else {}
    return {"counters": dict(raw.get("counters") or {}), "profiles": dict(raw.get("profiles") or {})}


def counter_zone(settings: dict, counter_id: object) -> str:
    return stored(settings)["counters"].get(str(counter_id), MAIN)


def profile_zone(settings: dict, profile: str) -> str:
    return stored(settings)["profiles"].get(profile, MAIN)


def known(settings: dict) -> list[str]:
    """Every zone in use, the main zone first."""
    zones = stored(settings)
    return [MAIN] + sorted({z for z in (*zones["counters"].values(), *zones["profiles"].values()) if z})


class ZoneAdmin:
    """The manager's use case: which zone each counter and display profile belongs to."""

    def __init__(self, admin):
        self.admin = admin          # a HallAdmin: permissions, audit log, settings writes
        self.hall = admin.hall

    def view(self) -> dict:
        settings = self.hall.settings()
        return stored(settings) | {"zones": known(settings)}

    def save(self, actor: Principal, data: object) -> dict:
        """Replace the counters' and/or the profiles' zones (absent part: unchanged; a counter or
        profile left out of a given part goes back to the main zone)."""
        self.admin.require_manager(actor)
        if not isinstance(data, dict) or not data or set(data) - {"counters", "profiles"}:
            raise InvalidRequest(N_("Data zona: objek {counters: {id: zona}, profiles: {nama: zona}}."))
        current = stored(self.hall.settings())
        with self.hall.db.read() as s:
            counter_ids = {str(i) for i in s.scalars(select(t.Counter.id))}
            profile_names = set(s.scalars(select(t.DisplayProfile.name)))
        if "counters" in data:
            current["counters"] = self._part(data["counters"], counter_ids, "counters",
                                             N_("Loket tidak dikenal"))
        if "profiles" in data:
            current["profiles"] = self._part(data["profiles"], profile_names, "profiles",
                                             N_("Profil tampilan tidak dikenal"))
        self.admin._set(actor, SETTING, current)
        self.admin._changed("hall")
        return self.view()

    @staticmethod
    def _part(value: object, allowed: set[str], field: str, unknown: str) -> dict:
        if not isinstance(value, dict) or len(value) > 500:
            raise InvalidRequest(N_("%(field)s: objek {kunci: zona}.", field=field))
        part = {}
        for key, zone in value.items():
            if str(key) not in allowed:
                raise InvalidRequest(N_("%(unknown)s: %(key)s.", unknown=unknown, key=repr(str(key)[:60])))
            zone = zone_name(zone, f"{field}.{str(key)[:60]}")
            if zone:
                part[str(key)] = zone
        return part
