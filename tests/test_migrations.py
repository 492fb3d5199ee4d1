"""Schema migrations (Alembic, signage/store/migrate.py) keep a hall's data, on SQLite and PostgreSQL.

The hall's data is made once per backend by the hall's own use cases (HallService): a few hundred
tickets over four service days, served, skipped, waiting. It is copied, as the tables of that
time held it, into databases made the old way (before migrations: create_all, no
alembic_version) or at the baseline revision; the real `signage db upgrade`, in a child process,
upgrades them: every row must come out as it went in, the schema must be exactly what the code
declares, and a real server started on the result must call and number where the hall left off.
Real SQLite files, a real PostgreSQL server (tests/pg.py).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
import requests
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from signage.accounts import Accounts
from signage.hall import load_hall
from signage.service import HallService
from signage.store import Database, migrate
from signage.store import tables as t
from signage.visitor import Visitors
from support import ALWAYS_OPEN_HALL, ROOT, ServerProcess

pytestmark = pytest.mark.both_databases

# The tables as the version before migrations made them with Base.metadata.create_all: the
# baseline revision's frozen copy of them (0001_baseline.schema()).
OLD = migrate.baseline_schema()
PAST_DAYS = (3, 2, 1)
PER_SERVICE_PER_DAY = 15
SERVICES = ("A", "B", "C", "D")           # Loket 1..4 serve them, one each (always_open.json)
TICKETS = (len(PAST_DAYS) + 1) * len(SERVICES) * PER_SERVICE_PER_DAY


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=5)   # every step a little later
        return self.now


def url_of(db) -> str:
    return db if isinstance(db, str) else f"sqlite:///{db.resolve()}"


def cli(*args: str, db) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "signage", *args, "--db", str(db)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def upgrade_by_cli(db) -> str:
    done = cli("db", "upgrade", db=db)
    assert done.returncode == 0, done.stderr
    return done.stdout


def later_revisions(after: str) -> list[str]:
    """'0002 (hall_duties: ...)' and every one after it, oldest first, as the CLI names them."""
    scripts = migrate.scripts()
    return [f"{s.revision} ({s.doc})" for s in reversed(list(scripts.iterate_revisions("head", after)))]


@pytest.fixture(scope="module")
def hall_data(tmp_path_factory):
    """A hall's database (SQLite, at head; copied to either backend by copy_rows), filled through
    HallService: three past service days and today, four agencies, PER_SERVICE_PER_DAY tickets
    each; past days mostly served, some skipped, some priority; today A001-A005 served at
    Loket 1, B001 called at Loket 2, the rest waiting; one machine token. Times are real days
    ago, so a server started now sees today's queue."""
    database = Database(url_of(tmp_path_factory.mktemp("hall-data") / "hall.db"))
    # Test data, made once: no fsync per ticket (the hall's own setting is FULL).
    sa.event.listen(database.engine, "connect",
                    lambda connection, _: connection.execute("PRAGMA synchronous=OFF"))
    database.create_all()
    now = datetime.now(timezone.utc) - timedelta(seconds=5)
    clock = Clock(now)
    hall = HallService(database, clock=clock)
    hall.seed(load_hall(ALWAYS_OPEN_HALL))
    visitors = Visitors(hall)
    loket = {c["name"]: c["id"] for c in hall.counters()}
    for days_ago in (*PAST_DAYS, 0):
        clock.now = now - timedelta(days=days_ago)
        for i in range(PER_SERVICE_PER_DAY):
            for code in SERVICES:
                ticket = hall.issue_ticket(code, priority=bool(days_ago and code == "D" and i % 5 == 0))
                visitors.link(ticket["id"])                # the QR on the slip
        if days_ago:
            for n, code in enumerate(SERVICES, start=1):
                counter = loket[f"Loket {n}"]
                for i in range(PER_SERVICE_PER_DAY - 2):
                    hall.counter_action(counter, "call-next")
                    hall.counter_action(counter, "skip" if code == "C" and i % 4 == 0 else "finish")
    clock.now = now
    for _ in range(5):
        hall.counter_action(loket["Loket 1"], "call-next")
        hall.counter_action(loket["Loket 1"], "finish")
    hall.counter_action(loket["Loket 2"], "call-next")
    Accounts(database).create_token("kiosk", label="Kios lobi")
    database.dispose()
    return database.url


def copy_rows(source_url: str, target_url: str) -> None:
    """Every row of the source's old tables (their old columns) into the target, ids and all."""
    source, target = sa.create_engine(source_url), sa.create_engine(target_url)
    try:
        with source.connect() as read, target.begin() as write:
            postgres = write.dialect.name == "postgresql"
            if postgres:   # counters <-> tickets refer to each other: no checks while copying
                write.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table in OLD.sorted_tables:
                rows = read.execute(sa.select(*table.columns)).mappings().all()
                if rows:
                    write.execute(table.insert(), [dict(row) for row in rows])
                keys = list(table.primary_key.columns)
                if postgres and rows and len(keys) == 1 and isinstance(keys[0].type, sa.Integer):
                    serial = f"pg_get_serial_sequence('{table.name}', '{keys[0].name}')"
                    write.exec_driver_sql(f"SELECT setval({serial}, (SELECT max({keys[0].name}) "
                                          f"FROM {table.name})) WHERE {serial} IS NOT NULL")
    finally:
        source.dispose()
        target.dispose()


def old_database(db) -> Database:
    """A hall database as the version before migrations made it: tables, no alembic_version."""
    database = Database(url_of(db))
    OLD.create_all(database.engine)
    return database


def database_at_baseline(db) -> Database:
    database = Database(url_of(db))
    config = migrate.alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, migrate.BASELINE)
    assert migrate.current(database) == "0001"
    return database


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of the old tables, their old columns, by primary key."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {table.name: [tuple(row) for row in connection.execute(
                        sa.select(*table.columns).order_by(*table.primary_key.columns))]
                    for table in OLD.sorted_tables}
    finally:
        engine.dispose()


def schema_of(url: str) -> dict:
    """The schema as the database reports it, comparable across two databases of one backend
    (columns in any order: a column added later comes last)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            found = {}
            for name in sorted(inspector.get_table_names()):
                if name == "alembic_version":
                    continue
                found[name] = {
                    "columns": sorted((c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                                      for c in inspector.get_columns(name)),
                    "pk": inspector.get_pk_constraint(name),
                    "fks": sorted(map(repr, inspector.get_foreign_keys(name))),
                    "unique": sorted(map(repr, inspector.get_unique_constraints(name))),
                    "indexes": sorted(map(repr, inspector.get_indexes(name))),
                }
                if engine.dialect.name == "sqlite":    # seq never reused after a delete (events)
                    ddl = connection.exec_driver_sql(
                        "SELECT sql FROM sqlite_master WHERE name = ?", (name,)).scalar()
                    found[name]["autoincrement"] = "AUTOINCREMENT" in ddl
            return found
    finally:
        engine.dispose()


def differences_from_the_code(url: str) -> list:
    """What Alembic's autogenerate would still change to match tables.py: nothing, at head."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, t.Base.metadata)
    finally:
        engine.dispose()


def versions(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [row[0] for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")]
    finally:
        engine.dispose()


def ticket_summary(rows: dict) -> Counter:
    status = [c.name for c in OLD.tables["tickets"].columns].index("status")
    return Counter(ticket[status] for ticket in rows["tickets"])


def test_a_hall_database_from_before_migrations_is_upgraded_by_the_cli_and_the_hall_goes_on(
        hall_data, new_database, tmp_path):
    db = new_database("old")
    old_database(db).dispose()
    copy_rows(hall_data, url_of(db))
    before = dump(url_of(db))
    assert before == dump(hall_data)
    assert len(before["tickets"]) == TICKETS and len(before["api_tokens"]) == 1
    summary = ticket_summary(before)
    assert summary["called"] == 1 and summary["served"] > 3 * 4 * 10 and summary["waiting"] > 4 * 12
    engine = sa.create_engine(url_of(db))
    with engine.begin() as connection:   # and from an older version still: before these came
        connection.exec_driver_sql("ALTER TABLE api_tokens DROP COLUMN last_used_at")  # (NULL)
        connection.exec_driver_sql("DROP TABLE survey_displays")                       # (empty)
    engine.dispose()

    said = upgrade_by_cli(db)
    assert said.startswith("the database was made before migrations: brought to the baseline "
                           "and marked revision 0001"), said
    assert "tables created: survey_displays\n" in said, said
    assert "columns added (empty in existing rows): api_tokens.last_used_at\n" in said, said
    assert "revisions applied:\n" + "".join(f"  {r}\n" for r in later_revisions("0001")) in said
    assert said.endswith(f"the database is at revision {migrate.head()}\n"), said
    assert versions(url_of(db)) == [migrate.head()]
    assert dump(url_of(db)) == before                      # every row, every value
    assert differences_from_the_code(url_of(db)) == []     # the schema the code declares

    server = ServerProcess(db, log_path=tmp_path / "server.log").start()
    try:
        token = server.token("counter", 1)
        called = requests.post(server.url + "/api/counters/1/call-next", timeout=10,
                               headers=server.headers(token))
        assert called.status_code == 200, called.text
        assert called.json()["ticket"]["number"] == "A006"    # A001-A005 were served before
        assert server.issue("A") == f"A{PER_SERVICE_PER_DAY + 1:03d}"   # today's numbering goes on
    finally:
        server.stop()
    after = dump(url_of(db))
    columns = [c.name for c in OLD.tables["tickets"].columns]
    changed = [dict(zip(columns, row)) for row, old in zip(after["tickets"], before["tickets"])
               if row != old]
    assert [(row["number"], row["status"]) for row in changed] == [("A006", "called")]
    assert len(after["tickets"]) == TICKETS + 1
    assert ticket_summary(after) == summary + Counter(called=1)   # and A019 waiting


def test_a_database_at_the_baseline_full_of_tickets_is_upgraded_to_head(hall_data, new_database):
    db = new_database("baseline")
    database_at_baseline(db).dispose()
    copy_rows(hall_data, url_of(db))
    before = dump(url_of(db))
    assert len(before["tickets"]) == TICKETS
    said = cli("db", "current", db=db).stdout
    assert said.startswith("revision 0001 (The baseline") and "run `signage db upgrade`" in said, said

    said = upgrade_by_cli(db)
    assert said == ("the database was at revision 0001\nrevisions applied:\n"
                    + "".join(f"  {r}\n" for r in later_revisions("0001"))
                    + f"the database is at revision {migrate.head()}\n"), said
    assert "  0002 (hall_duties" in said
    assert versions(url_of(db)) == [migrate.head()]
    assert dump(url_of(db)) == before
    assert differences_from_the_code(url_of(db)) == []
    database = Database(url_of(db))
    assert migrate.status(database).endswith(": up to date")

    # 0002's table works, its time in UTC
    until = datetime(2026, 11, 30, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    with database.write() as s:
        s.add(t.HallDuty(name="test-duty", holder="host-1:4242", expires_at=until))
    with database.read() as s:
        duty = s.get(t.HallDuty, "test-duty")
        assert (duty.holder, duty.expires_at) == ("host-1:4242", until)
    database.dispose()


def test_a_new_database_gets_head_with_the_schema_the_code_declares_and_twice_changes_nothing(
        new_database):
    db, made_from_the_code = new_database("new"), new_database("create_all")
    said = upgrade_by_cli(db)
    assert said == ("the database was empty: schema created\nrevisions applied:\n"
                    + "".join(f"  {r}\n" for r in later_revisions("base"))
                    + f"the database is at revision {migrate.head()}\n"), said
    assert "  0001 (The baseline" in said and "  0002 (hall_duties" in said
    assert versions(url_of(db)) == [migrate.head()]
    assert differences_from_the_code(url_of(db)) == []
    reference = sa.create_engine(url_of(made_from_the_code))
    t.Base.metadata.create_all(reference)             # what tables.py alone makes
    reference.dispose()
    schema = schema_of(url_of(db))
    assert schema == schema_of(url_of(made_from_the_code))
    assert {"tickets", "events", "hall_duties", "print_jobs"} <= set(schema)

    again = upgrade_by_cli(db)
    assert again == f"the database is up to date: revision {migrate.head()}, nothing to do\n"
    assert versions(url_of(db)) == [migrate.head()] and schema_of(url_of(db)) == schema
    database = Database(url_of(db))                   # and the server's start does nothing
    assert database.create_all().applied == []
    database.dispose()


def test_processes_starting_at_once_upgrade_the_database_once(new_database):
    db = new_database("race")
    old_database(db).dispose()
    engine = sa.create_engine(url_of(db))
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE api_tokens DROP COLUMN revoked_at")
    engine.dispose()
    starts = [subprocess.Popen([sys.executable, "-m", "signage", "db", "upgrade", "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
              for _ in range(3)]
    results = [start.communicate(timeout=120) for start in starts]
    assert [start.returncode for start in starts] == [0] * 3, [err for _, err in results]
    said = [out for out, _ in results]
    assert sum("made before migrations" in out for out in said) == 1, said
    assert sum("nothing to do" in out for out in said) == 2, said
    assert versions(url_of(db)) == [migrate.head()]
    assert differences_from_the_code(url_of(db)) == []


def test_a_database_from_a_newer_version_is_refused_with_the_reason(new_database):
    db = new_database("newer")
    database = Database(url_of(db))
    database.create_all()
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    with pytest.raises(migrate.MigrationError, match="revision 0999, unknown to this version"):
        database.create_all()
    assert migrate.status(database).startswith("revision 0999, unknown to this version")
    database.dispose()
    started = cli("run", "--port", "1", "--hall", str(ALWAYS_OPEN_HALL), db=db)
    assert started.returncode == 2, started.stderr
    assert started.stderr.startswith("error: database ") and "unknown to this version" in started.stderr
    assert "Traceback" not in started.stderr
    assert versions(url_of(db)) == ["0999"]


REBUILD_TICKETS = """
revision = "9001"
down_revision = {head!r}


def upgrade():
    from alembic import op
    import sqlalchemy as sa
    with op.batch_alter_table("tickets", recreate="always") as batch:
        batch.add_column(sa.Column("note", sa.String(40), nullable=True))
"""


def test_a_revision_that_rebuilds_a_sqlite_table_keeps_the_rows_that_point_at_it(
        hall_data, tmp_path, monkeypatch):
    """SQLite alters most things by copying the table and dropping the old one (Alembic's batch
    mode). With foreign keys on, that drop would delete every ticket's link (ON DELETE CASCADE):
    the upgrade runs with them off, and checks that nothing is left dangling. SQLite only:
    PostgreSQL alters tables in place."""
    db = tmp_path / "hall.db"
    shutil.copyfile(hall_data.removeprefix("sqlite:///"), db)
    before = dump(url_of(db))
    assert len(before["ticket_links"]) == TICKETS and len(before["tickets"]) == TICKETS
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9001_rebuild_tickets.py").write_text(
        REBUILD_TICKETS.format(head=migrate.head()))
    monkeypatch.setattr(migrate, "MIGRATIONS", scripts)

    database = Database(url_of(db))
    assert database.create_all().applied == ["9001"]
    assert dump(url_of(db)) == before                    # the links are all there
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1   # on again
    database.dispose()
