"""Sentence vectors: the meaning signal's vectors of reference sentences, computed at ingest
and stored by the encoder that made them and the sentence's digest.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sentence_vectors",
        sa.Column("model", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=40), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("model", "digest", name=op.f("pk_sentence_vectors")),
    )


def downgrade() -> None:
    op.drop_table("sentence_vectors")
