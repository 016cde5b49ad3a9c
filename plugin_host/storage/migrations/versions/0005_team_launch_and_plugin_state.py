"""team launch and plugin state

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 16:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("launch_session") as batch_op:
        batch_op.add_column(
            sa.Column("team_id", sa.String(length=100), nullable=False, server_default="")
        )
    op.create_table(
        "plugin_state",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plugin", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=140), nullable=False),
        sa.Column("team_id", sa.String(length=100), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plugin", "kind", "key"),
    )
    with op.batch_alter_table("plugin_state") as batch_op:
        batch_op.create_index("ix_plugin_state_team_id", ["team_id"])
        batch_op.create_index("ix_plugin_state_client_id", ["client_id"])


def downgrade() -> None:
    op.drop_table("plugin_state")
    with op.batch_alter_table("launch_session") as batch_op:
        batch_op.drop_column("team_id")
