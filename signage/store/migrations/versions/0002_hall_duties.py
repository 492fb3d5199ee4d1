"""hall_duties: which process of the hall holds which duty, until when.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

For several server processes on one PostgreSQL database: a duty only one of them may do at a
time is a row here, held by `holder` until `expires_at` (tables.HallDuty). A new table: the
hall's rows elsewhere are not touched.
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("hall_duties",
                    sa.Column("name", sa.Text(), nullable=False),
                    sa.Column("holder", sa.Text(), nullable=True),
                    sa.Column("expires_at", sa.DateTime(), nullable=True),
                    sa.PrimaryKeyConstraint("name"))


def downgrade() -> None:
    raise NotImplementedError("no downgrades: restore the backup taken before the upgrade "
                              "(signage db restore)")
