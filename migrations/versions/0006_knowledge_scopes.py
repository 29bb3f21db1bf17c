"""Knowledge per workspace: every notes file belongs to a scope ('' is the operator's configured
notes; 'discord:<guild>' / 'slack:<team>' / 'console:<name>' a workspace's own), and the
sources notes come from (a folder, a git repository, uploads) with their last sync and error.
Existing files join the operator's scope; ids and answer history are untouched.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("note_files") as batch:
        batch.add_column(
            sa.Column("scope", sa.String(length=200), nullable=False, server_default="")
        )
        batch.create_index("ix_note_files_scope", ["scope"])
    op.create_table(
        "knowledge_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("location", sa.String(length=1000), nullable=False),
        sa.Column("root", sa.String(length=1000), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("commit", sa.String(length=64), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_sources"),
        sa.UniqueConstraint("scope", "kind", "location", name="uq_knowledge_sources_scope"),
    )


def downgrade() -> None:
    op.drop_table("knowledge_sources")
    with op.batch_alter_table("note_files") as batch:
        batch.drop_index("ix_note_files_scope")
        batch.drop_column("scope")
