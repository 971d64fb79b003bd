"""referral reason code and receiving caseworker (HTCDS cas_ReasonForOutgoingReferral /
cas_ReasonForIncomingReferral and cas_ReferredPrimaryCaseWorker): two nullable columns; the
referrals of before have neither recorded (no data to carry)

Revision ID: 952bb7909da5
Revises: fec81ffcf1cb
Create Date: 2026-12-08 02:00:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '952bb7909da5'
down_revision = 'fec81ffcf1cb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('receiving_caseworker_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_referrals_receiving_caseworker_id_users'),
            'users',
            ['receiving_caseworker_id'],
            ['id'],
        )


def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_referrals_receiving_caseworker_id_users'), type_='foreignkey'
        )
        batch_op.drop_column('receiving_caseworker_id')
        batch_op.drop_column('reason_code')
