"""Review sessions and names on the leaderboard: an interview may follow a plan (the concepts a
review session asks, most overdue first), and a person's display name is kept with their
progress preferences so a leaderboard names people without mentioning (pinging) them; a
reminder speaks the language of the person who set it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 04:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interviews") as batch:
        batch.add_column(sa.Column("plan", sa.JSON(), nullable=True))
    with op.batch_alter_table("progress_prefs") as batch:
        batch.add_column(
            sa.Column("display_name", sa.String(length=100), nullable=False, server_default="")
        )
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(
            sa.Column("locale", sa.String(length=5), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("locale")
    with op.batch_alter_table("progress_prefs") as batch:
        batch.drop_column("display_name")
    with op.batch_alter_table("interviews") as batch:
        batch.drop_column("plan")
