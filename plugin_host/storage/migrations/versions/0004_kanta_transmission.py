"""kanta transmission

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kanta_transmission",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("correlation_id", sa.String(length=32), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("plugin", sa.String(length=40), nullable=False),
        sa.Column("worker_id", sa.String(length=100), nullable=False),
        sa.Column("record_document_id", sa.String(length=100), nullable=False),
        sa.Column("record_version", sa.Integer(), nullable=False),
        sa.Column("set_oid", sa.String(length=100), nullable=False),
        sa.Column("document_oid", sa.String(length=100), nullable=False),
        sa.Column("kanta_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("errors", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("correlation_id"),
        sa.UniqueConstraint("document_oid"),
    )
    with op.batch_alter_table("kanta_transmission") as batch_op:
        batch_op.create_index("ix_kanta_transmission_client_id", ["client_id"])
        batch_op.create_index(
            "ix_kanta_transmission_record_document_id", ["record_document_id"]
        )


def downgrade() -> None:
    op.drop_table("kanta_transmission")
