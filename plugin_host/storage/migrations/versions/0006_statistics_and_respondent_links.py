"""statistics and respondent links

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_CELL = ("plugin", "dataset", "org_unit", "team_id", "month")


def _cell_columns() -> list[sa.Column]:
    return [
        sa.Column("plugin", sa.String(length=40), nullable=False),
        sa.Column("dataset", sa.String(length=40), nullable=False),
        sa.Column("org_unit", sa.String(length=100), nullable=False),
        sa.Column("team_id", sa.String(length=100), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("d1", sa.String(length=100), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "stat_observation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_cell_columns(),
        sa.Column("family_key", sa.String(length=64), nullable=False),
        sa.Column("d2", sa.String(length=100), nullable=False),
        sa.Column("d3", sa.String(length=100), nullable=False),
        sa.Column("measure", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_stat_observation_cell", "stat_observation", [*_CELL, "measure"]
    )
    op.create_table(
        "stat_rollup",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_cell_columns(),
        sa.Column("d2", sa.String(length=100), nullable=False),
        sa.Column("d3", sa.String(length=100), nullable=False),
        sa.Column("measure", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*_CELL, "d1", "d2", "d3", "measure", "value"),
    )
    op.create_table(
        "stat_family",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_cell_columns(),
        sa.Column("family_key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*_CELL, "d1", "family_key"),
    )
    op.create_table(
        "respondent_link",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("link_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("plugin", sa.String(length=40), nullable=False),
        sa.Column("endpoint", sa.String(length=100), nullable=False),
        sa.Column("kiosk", sa.Boolean(), nullable=False),
        sa.Column("worker_id", sa.String(length=100), nullable=False),
        sa.Column("org_unit", sa.String(length=100), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("link_id"),
        sa.UniqueConstraint("token_hash"),
        sa.UniqueConstraint("session_hash"),
    )
    with op.batch_alter_table("respondent_link") as batch_op:
        batch_op.create_index("ix_respondent_link_client_id", ["client_id"])
        batch_op.create_index("ix_respondent_link_expires_at", ["expires_at"])


def downgrade() -> None:
    op.drop_table("respondent_link")
    op.drop_table("stat_family")
    op.drop_table("stat_rollup")
    op.drop_index("ix_stat_observation_cell", "stat_observation")
    op.drop_table("stat_observation")
