"""initial host tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 11:26:54.603490
"""

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('worker_id', sa.String(length=100), nullable=False),
    sa.Column('org_unit', sa.String(length=100), nullable=False),
    sa.Column('client_id', sa.String(length=100), nullable=False),
    sa.Column('purpose', sa.String(length=100), nullable=False),
    sa.Column('plugin', sa.String(length=40), nullable=False),
    sa.Column('operation', sa.String(length=40), nullable=False),
    sa.Column('document_id', sa.String(length=100), nullable=True),
    sa.Column('document_version', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_worker_id'), ['worker_id'], unique=False)

    op.create_table('launch_session',
    sa.Column('session_id', sa.String(length=64), nullable=False),
    sa.Column('worker_id', sa.String(length=100), nullable=False),
    sa.Column('org_unit', sa.String(length=100), nullable=False),
    sa.Column('client_id', sa.String(length=100), nullable=False),
    sa.Column('purpose', sa.String(length=100), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('session_id')
    )
    with op.batch_alter_table('launch_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_launch_session_expires_at'), ['expires_at'], unique=False)

    op.create_table('plugin_enablement',
    sa.Column('plugin', sa.String(length=40), nullable=False),
    sa.Column('org_unit', sa.String(length=100), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('changed_by', sa.String(length=100), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('plugin', 'org_unit')
    )
    op.create_table('scope_grant',
    sa.Column('plugin', sa.String(length=40), nullable=False),
    sa.Column('scope', sa.String(length=100), nullable=False),
    sa.Column('granted_by', sa.String(length=100), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('plugin', 'scope')
    )
    op.create_table('used_launch_token',
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('jti', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('issuer', 'jti')
    )
    with op.batch_alter_table('used_launch_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_launch_token_expires_at'), ['expires_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('used_launch_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_launch_token_expires_at'))

    op.drop_table('used_launch_token')
    op.drop_table('scope_grant')
    op.drop_table('plugin_enablement')
    with op.batch_alter_table('launch_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_launch_session_expires_at'))

    op.drop_table('launch_session')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_worker_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_client_id'))

    op.drop_table('audit_event')
