"""Review sessions and names on the leaderboard: an interview may follow a plan (the concepts a
review session asks, most overdue first), and a person's display name is kept with their
progress preferences so a leaderboard names people without mentioning (pinging) them; a
reminder speaks the language of the person who set it; each person's answers are counted per
concept and per UTC day as they are stored (``/stats`` reads those, not every answer), counted
here once from the answers already stored.

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


def _person() -> list[sa.Column[str]]:
    return [
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("workspace_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
    ]


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

    op.create_table(
        "progress_concepts",
        *_person(),
        sa.Column("concept_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=300), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "workspace_id", "user_id", "concept_id", "term", name="pk_progress_concepts"
        ),
    )
    op.create_table(
        "progress_days",
        *_person(),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "workspace_id", "user_id", "day", name="pk_progress_days"
        ),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    day = (
        "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        if postgres
        else "substr(created_at, 1, 10)"
    )
    op.execute(
        "INSERT INTO progress_concepts "
        "(platform, workspace_id, user_id, concept_id, term, answers, points) "
        "SELECT platform, workspace_id, user_id, COALESCE(concept_id, 0), term, count(*), "
        "sum(CASE WHEN accepted THEN 100 ELSE score END) FROM answers "
        "GROUP BY platform, workspace_id, user_id, COALESCE(concept_id, 0), term"
    )
    op.execute(
        "INSERT INTO progress_days "
        "(platform, workspace_id, user_id, day, answers, first_at, last_at) "
        f"SELECT platform, workspace_id, user_id, {day}, count(*), min(created_at), "
        f"max(created_at) FROM answers GROUP BY platform, workspace_id, user_id, {day}"
    )


def downgrade() -> None:
    op.drop_table("progress_days")
    op.drop_table("progress_concepts")
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("locale")
    with op.batch_alter_table("progress_prefs") as batch:
        batch.drop_column("display_name")
    with op.batch_alter_table("interviews") as batch:
        batch.drop_column("plan")
