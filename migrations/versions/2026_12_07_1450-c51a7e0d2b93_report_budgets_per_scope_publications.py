"""report budgets per scope, population snapshots, publications

Revision ID: c51a7e0d2b93
Revises: f46d4dfbd251
Create Date: 2026-12-07 14:50:00

The privacy budget becomes per scope (a country or the region) and calendar year: the spend
recorded so far was for the whole region, so it is carried across as the region's. Releases
record the size and keyed digest of the population they counted; published packages are
stored once (report_publications).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c51a7e0d2b93'
down_revision = 'f46d4dfbd251'
branch_labels = None
depends_on = None


def _carry(columns):
    """A plain table holding the budget rows while privacy_budgets is rebuilt."""
    op.create_table('privacy_budgets_carry', *columns)


def upgrade():
    _carry([
        sa.Column('scope', sa.String(length=80), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('spent', sa.Float(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    ])
    op.execute(
        "INSERT INTO privacy_budgets_carry (scope, year, spent, updated_at) "
        "SELECT 'region', year, spent, updated_at FROM privacy_budgets"
    )
    op.drop_table('privacy_budgets')
    op.create_table('privacy_budgets',
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('spent', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'year', name=op.f('pk_privacy_budgets'))
    )
    op.execute(
        "INSERT INTO privacy_budgets (scope, year, spent, updated_at) "
        "SELECT scope, year, spent, updated_at FROM privacy_budgets_carry"
    )
    op.drop_table('privacy_budgets_carry')
    with op.batch_alter_table('report_releases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('population_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('population_digest', sa.String(length=64), nullable=True))
    op.create_table('report_publications',
    sa.Column('request_key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('scope_kind', sa.String(length=16), nullable=False),
    sa.Column('scope_value', sa.String(length=64), nullable=True),
    sa.Column('period_key', sa.String(length=16), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=160), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('package', sa.LargeBinary(), nullable=False),
    sa.Column('epsilon', sa.Float(), nullable=True),
    sa.Column('released_by_id', sa.Uuid(), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_report_publications_released_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_publications')),
    sa.UniqueConstraint('request_key', name=op.f('uq_report_publications_request_key'))
    )


def downgrade():
    op.drop_table('report_publications')
    with op.batch_alter_table('report_releases', schema=None) as batch_op:
        batch_op.drop_column('population_digest')
        batch_op.drop_column('population_size')
    _carry([
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('spent', sa.Float(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    ])
    # One budget per year again: the largest spend of any scope is kept (never less spent).
    op.execute(
        "INSERT INTO privacy_budgets_carry (year, spent, updated_at) "
        "SELECT year, MAX(spent), MAX(updated_at) FROM privacy_budgets GROUP BY year"
    )
    op.drop_table('privacy_budgets')
    op.create_table('privacy_budgets',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('spent', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_privacy_budgets'))
    )
    op.execute(
        "INSERT INTO privacy_budgets (year, spent, updated_at) "
        "SELECT year, spent, updated_at FROM privacy_budgets_carry"
    )
    op.drop_table('privacy_budgets_carry')
