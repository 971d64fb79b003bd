"""citizenship: several a person, as HTCDS 2.0's prs_Citizenship (decision 0098): each
case's one `cases.citizenship` becomes a `case_codes` row of the list "citizenship", and the
column goes

Revision ID: a93b90be3153
Revises: aea7a5abd4ea
Create Date: 2026-12-08 01:30:00.000000+00:00

"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a93b90be3153'
down_revision = 'aea7a5abd4ea'
branch_labels = None
depends_on = None

VOCABULARY = 'citizenship'
BATCH = 1000

cases = sa.table('cases', sa.column('id', sa.Uuid), sa.column('citizenship', sa.String))
case_codes = sa.table(
    'case_codes',
    sa.column('id', sa.Uuid),
    sa.column('case_id', sa.Uuid),
    sa.column('vocabulary', sa.String),
    sa.column('code', sa.String),
)


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(cases.c.id, cases.c.citizenship).where(cases.c.citizenship.is_not(None))
    ).all()
    codes = [
        {'id': uuid.uuid4(), 'case_id': case_id, 'vocabulary': VOCABULARY, 'code': code}
        for case_id, code in rows
    ]
    for start in range(0, len(codes), BATCH):
        op.bulk_insert(case_codes, codes[start : start + BATCH])
    with op.batch_alter_table('cases') as batch_op:
        batch_op.drop_column('citizenship')


def downgrade():
    # One citizenship a case again: the first in code order is kept, any others are lost.
    with op.batch_alter_table('cases') as batch_op:
        batch_op.add_column(sa.Column('citizenship', sa.String(length=2), nullable=True))
    first = (
        sa.select(sa.func.min(case_codes.c.code))
        .where(case_codes.c.case_id == cases.c.id, case_codes.c.vocabulary == VOCABULARY)
        .scalar_subquery()
    )
    op.execute(cases.update().values(citizenship=first))
    op.execute(case_codes.delete().where(case_codes.c.vocabulary == VOCABULARY))
