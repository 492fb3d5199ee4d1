"""The hall as data: its services (agencies), counters, hours and settings.

A hall is described by a JSON file; MPP Kota Kupang ships as the default. The file only seeds
an empty database: after the first start the database is the truth and managers change it there.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import time
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from .messages import N_

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {"mon": N_("Senin"), "tue": N_("Selasa"), "wed": N_("Rabu"), "thu": N_("Kamis"),
             "fri": N_("Jumat"), "sat": N_("Sabtu"), "sun": N_("Minggu")}   # said to people
_CODE = re.compile(r"^[A-Z]$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


class HallFileError(ValueError):
    """The hall file is not usable; the message says where."""


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    color: str = "#1f4e9c"
    daily_limit: int | None = None


@dataclass(frozen=True)
class CounterSpec:
    name: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class HallSpec:
    name: str
    timezone: str
    hours: dict[str, tuple[str, str]]
    services: tuple[ServiceSpec, ...]
    counters: tuple[CounterSpec, ...]
    settings: dict = field(default_factory=dict)
    holidays: dict[str, str] = field(default_factory=dict)


def parse_hhmm(text: str) -> time | None:
    """'08:00' -> time(8, 0); '24:00' -> None (end of day)."""
    if not isinstance(text, str) or not _HHMM.match(text):
        raise ValueError(N_("jam tidak valid: %(text)s (format HH:MM)", text=repr(text)))
    if text == "24:00":
        return None
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def validate_hours(hours: object) -> dict[str, tuple[str, str]]:
    if not isinstance(hours, dict):
        raise ValueError(N_("harus berupa objek {hari: [buka, tutup]}"))
    clean: dict[str, tuple[str, str]] = {}
    for day, span in hours.items():
        if day not in WEEKDAYS:
            raise ValueError(N_("hari tidak dikenal: %(day)s (pakai %(names)s)", day=repr(day), names=', '.join(WEEKDAYS)))
        if not (isinstance(span, (list, tuple)) and len(span) == 2):
            raise ValueError(N_("jam %(day)s harus [buka, tutup]", day=DAY_NAMES[day]))
        opens, closes = parse_hhmm(span[0]), parse_hhmm(span[1])
        if opens is None or (closes is not None and closes <= opens):
            raise ValueError(N_("jam %(day)s: tutup harus setelah buka", day=DAY_NAMES[day]))
        clean[day] = (span[0], span[1])
    return clean


def load_hall(path: str | Path | None = None) -> HallSpec:
    """Read and check a hall file; with no path, the MPP Kota Kupang default."""
    try:
        if path is None:
            raw = resources.files("signage.halls").joinpath("kupang.json").read_text("utf-8")
        else:
            raw = Path(path).read_text("utf-8")
        data = json.loads(raw)
    except (OSError, json.JSONDecodeError) as exc:
        raise HallFileError(f"cannot read hall file {path}: {exc}") from exc
    try:
        return _parse(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise HallFileError(f"hall file {path or 'kupang.json'}: {exc}") from exc


def _parse(data: dict) -> HallSpec:
    try:
        ZoneInfo(data["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {data['timezone']!r}") from exc
    services = []
    for item in data["services"]:
        code = str(item["code"]).upper()
        if not _CODE.match(code):
            raise ValueError(f"service code must be one letter A-Z, got {item['code']!r}")
        services.append(ServiceSpec(code=code, name=str(item["name"]).strip(),
                                    color=item.get("color", "#1f4e9c"),
                                    daily_limit=item.get("daily_limit")))
    codes = [s.code for s in services]
    if len(set(codes)) != len(codes):
        raise ValueError("service codes must be unique")
    counters = []
    for item in data["counters"]:
        served = tuple(str(c).upper() for c in item["services"])
        unknown = set(served) - set(codes)
        if unknown or not served:
            raise ValueError(f"counter {item['name']!r} serves unknown services {sorted(unknown)}")
        counters.append(CounterSpec(name=str(item["name"]).strip(), services=served))
    return HallSpec(
        name=str(data["name"]),
        timezone=data["timezone"],
        hours=validate_hours(data.get("hours", {})),
        services=tuple(services),
        counters=tuple(counters),
        settings=dict(data.get("settings", {})),
        holidays=dict(data.get("holidays", {})),
    )
