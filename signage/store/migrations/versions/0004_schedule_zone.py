"""scheduled_announcements.zone: the speaker zone a scheduled announcement is spoken in.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Issue 10 (speaker zones): a free announcement goes to one zone or to all, the scheduled ones
too ("Lantai 2 tutup pukul 12.00"). NULL: every zone, as every schedule was before.
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("scheduled_announcements", sa.Column("zone", sa.String(length=40), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("no downgrades: restore the backup taken before the upgrade "
                              "(signage db restore)")
