"""outbox claim id

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:15:37.939942
"""

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_write', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_id', sa.String(length=32), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('outbox_write', schema=None) as batch_op:
        batch_op.drop_column('claim_id')

