"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

Halls run this at start, on SQLite and on PostgreSQL, with their tickets in the tables: keep it
data-preserving (batch_alter_table rewrites a SQLite table, keeping its rows).
"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    raise NotImplementedError("no downgrades: restore the backup taken before the upgrade "
                              "(signage db restore)")
