"""Alembic's script directory: env.py, script.py.mako and versions/ (one file per revision).

Run by signage/store/migrate.py, configured in code; alembic.ini is only for a developer making a
new revision (README, "Database upgrades")."""
