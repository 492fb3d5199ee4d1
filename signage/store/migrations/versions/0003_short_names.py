"""services.short_name, counters.short_name: what the hall TV shows in place of a long name.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Issue 14 (the TV read from the back of the hall): a manager may give an agency or a counter a
short name, at most 24 characters (tables.Service.short_name, tables.Counter.short_name). Both
nullable, no default: NULL means "show the name"; the hall's rows are not touched.
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("services", sa.Column("short_name", sa.String(length=24), nullable=True))
    op.add_column("counters", sa.Column("short_name", sa.String(length=24), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("no downgrades: restore the backup taken before the upgrade "
                              "(signage db restore)")
