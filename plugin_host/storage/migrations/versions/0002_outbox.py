"""outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:58:08.175322
"""

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_write',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('write_id', sa.String(length=32), nullable=False),
    sa.Column('stream', sa.String(length=140), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('plugin', sa.String(length=40), nullable=False),
    sa.Column('worker_id', sa.String(length=100), nullable=False),
    sa.Column('org_unit', sa.String(length=100), nullable=False),
    sa.Column('client_id', sa.String(length=100), nullable=False),
    sa.Column('purpose', sa.String(length=100), nullable=False),
    sa.Column('document_type', sa.String(length=40), nullable=False),
    sa.Column('target_document', sa.String(length=140), nullable=True),
    sa.Column('document_id', sa.String(length=100), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('uncertain', sa.Boolean(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_version', sa.Integer(), nullable=True),
    sa.Column('conflict_version', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('idempotency_key'),
    sa.UniqueConstraint('write_id')
    )
    with op.batch_alter_table('outbox_write', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_write_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_write_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_write_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_write_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_write_stream'), ['stream'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox_write', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_write_stream'))
        batch_op.drop_index(batch_op.f('ix_outbox_write_status'))
        batch_op.drop_index(batch_op.f('ix_outbox_write_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_write_document_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_write_client_id'))

    op.drop_table('outbox_write')
