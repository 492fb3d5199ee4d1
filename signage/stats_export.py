"""The statistics a manager hands in: Indonesian headers, agencies by name and code, times in
minutes with one decimal, as an Excel workbook (one sheet per table) or as CSV files that
Indonesian Excel opens as they are (`;` between columns, decimal comma, UTF-8 with BOM; one table
per file).

Tables (the key is the `table` parameter of /api/stats.csv):
- layanan: per agency — tickets, served, no-shows, cancelled, still waiting, waiting and service time;
- loket:   per counter — called = served + skipped + transferred + still being served;
- jam:     tickets taken per hour of the day (hall time).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

TABLES = ("layanan", "loket", "jam")
TABLE_ALIASES = {"layanan": "layanan", "services": "layanan", "service": "layanan",
                 "loket": "loket", "counters": "loket", "counter": "loket",
                 "jam": "jam", "hours": "jam", "per_hour": "jam"}
SHEETS = {"layanan": "Per layanan", "loket": "Per loket", "jam": "Per jam"}

WAIT_AVG = "Waktu tunggu rata-rata (menit)"
WAIT_P90 = "Waktu tunggu 90% pengunjung (menit)"
SERVICE_AVG = "Lama dilayani rata-rata (menit)"
SERVICE_P90 = "Lama dilayani 90% pengunjung (menit)"
COUNTER_RULE = ("Dipanggil = Dilayani + Tidak hadir (dilewati) + Dialihkan ke layanan lain + "
                "Sedang dilayani. Tiap tiket dihitung sekali per loket, menurut akhir panggilan "
                "terakhirnya di loket itu; panggilan ulang tidak dihitung lagi.")
P90_NOTE = ("Waktu tunggu 90% pengunjung: 9 dari 10 pengunjung menunggu paling lama sekian menit "
            "(dari ambil tiket sampai dipanggil pertama kali). Lama dilayani: dari panggilan terakhir "
            "sampai selesai.")


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    minute_columns: frozenset[int] = frozenset()
    notes: list[str] = field(default_factory=list)


def minutes(seconds: float | None) -> float | None:
    """Seconds as minutes with one decimal (None stays None: nothing to measure)."""
    return None if seconds is None else round(seconds / 60, 1)


def decimal_comma(value) -> str:
    """A cell for Indonesian Excel: 12.5 -> "12,5", None -> ""."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def service_label(row: dict) -> str:
    name = row.get("name") or row["code"]
    return f"{name} ({row['code']})" if name != row["code"] else row["code"]


def hour_label(hour: int) -> str:
    return f"{hour:02d}.00–{(hour + 1) % 24:02d}.00"


def build_tables(result: dict) -> dict[str, Table]:
    """The three tables of a statistics result (HallService.statistics)."""
    services = Table("layanan", SHEETS["layanan"], [
        "Layanan", "Tiket diambil", "Dilayani", "Tidak hadir (dilewati)", "Dibatalkan pengunjung",
        "Masih menunggu", WAIT_AVG, WAIT_P90, SERVICE_AVG, SERVICE_P90],
        minute_columns=frozenset(range(6, 10)), notes=[P90_NOTE])
    for row in result["services"]:
        services.rows.append([
            service_label(row), row["issued"], row["served"], row["skipped"], row.get("cancelled", 0),
            row["waiting"], minutes(row["wait_seconds"]["avg"]), minutes(row["wait_seconds"]["p90"]),
            minutes(row["service_seconds"]["avg"]), minutes(row["service_seconds"]["p90"])])
    totals = result["totals"]
    services.rows.append(["Jumlah", totals["issued"], totals["served"], totals["skipped"],
                          totals.get("cancelled", 0), totals["waiting"], None, None, None, None])

    counters = Table("loket", SHEETS["loket"], [
        "Loket", "Dipanggil", "Dilayani", "Tidak hadir (dilewati)", "Dialihkan ke layanan lain",
        "Sedang dilayani", SERVICE_AVG, SERVICE_P90],
        minute_columns=frozenset({6, 7}), notes=[COUNTER_RULE])
    keys = ("called", "served", "skipped", "transferred", "serving")
    for row in result["counters"]:
        counters.rows.append([row["counter"], *(row.get(k, 0) for k in keys),
                              minutes(row["service_seconds"]["avg"]), minutes(row["service_seconds"]["p90"])])
    counters.rows.append(["Jumlah", *(sum(r.get(k, 0) for r in result["counters"]) for k in keys),
                          None, None])

    hours = Table("jam", SHEETS["jam"], ["Jam", "Tiket diambil"],
                  notes=["Jam menurut waktu MPP; tiket dihitung pada jam diambil di kios."])
    busy = [h["hour"] for h in result["per_hour"] if h["issued"]]
    if busy:
        counts = {h["hour"]: h["issued"] for h in result["per_hour"]}
        for hour in range(min(busy), max(busy) + 1):
            hours.rows.append([hour_label(hour), counts.get(hour, 0)])
    return {"layanan": services, "loket": counters, "jam": hours}


def table_key(value: str | None) -> str | None:
    """The table a `table` parameter names (Indonesian or English), None if unknown."""
    return TABLE_ALIASES.get((value or "layanan").strip().lower())


def to_csv(table: Table) -> bytes:
    """One table as CSV for Indonesian Excel: UTF-8 with BOM, `;`, decimal comma."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([decimal_comma(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: dict[str, Table], *, hall_name: str, first: str, last: str, made_at: str) -> bytes:
    """A workbook: the sheets Per layanan, Per loket, Per jam, then Keterangan (period, notes)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    book = Workbook()
    book.remove(book.active)
    for key in TABLES:
        table = tables[key]
        sheet = book.create_sheet(table.title)
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
            if row and row[0] == "Jumlah":
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
        for column in table.minute_columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
                cell.number_format = "0.0"
        sheet.freeze_panes = "B2"
        for i, header in enumerate(table.headers, start=1):
            longest = max([len(str(header))] + [len(str(r[i - 1])) for r in table.rows if r[i - 1] is not None])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))
        if table.notes:
            sheet.append([])
            for note in table.notes:
                sheet.append([note])
                sheet.cell(sheet.max_row, 1).font = Font(italic=True)
    info = book.create_sheet("Keterangan")
    for line in (["Statistik", hall_name], ["Periode", f"{first} s.d. {last}" if first != last else first],
                 ["Dibuat", made_at], [], ["Per layanan", P90_NOTE], ["Per loket", COUNTER_RULE],
                 ["Waktu", "Semua waktu dalam menit, satu angka di belakang koma; kosong: belum ada data."]):
        info.append(line)
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 110
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
