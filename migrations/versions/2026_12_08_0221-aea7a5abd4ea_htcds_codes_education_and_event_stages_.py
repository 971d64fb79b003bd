"""htcds codes: education levels and event stages spelled as HTCDS 2.0 spells them (decision
0097): BachelorOrEquivalentLevel -> BachelorsOrEquivalentLevel, MasterOrEquivalentLevel ->
MastersOrEquivalentLevel, None (no formal education) -> EarlyChildhoodEducation (ISCED 0,
"less than primary", which includes no schooling), Unknown -> blank; trafficking event kinds
recruitment/transit/exploitation -> Recruitment/Transit/Exploitation

Revision ID: aea7a5abd4ea
Revises: a6087e4947a7
Create Date: 2026-12-08 01:15:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'aea7a5abd4ea'
down_revision = 'a6087e4947a7'
branch_labels = None
depends_on = None

EDUCATION = {
    'BachelorOrEquivalentLevel': 'BachelorsOrEquivalentLevel',
    'MasterOrEquivalentLevel': 'MastersOrEquivalentLevel',
    'None': 'EarlyChildhoodEducation',
}
EVENT_KINDS = {'recruitment': 'Recruitment', 'transit': 'Transit', 'exploitation': 'Exploitation'}

cases = sa.table('cases', sa.column('education', sa.String))
events = sa.table('trafficking_events', sa.column('kind', sa.String))


def upgrade():
    for old, new in EDUCATION.items():
        op.execute(cases.update().where(cases.c.education == old).values(education=new))
    op.execute(cases.update().where(cases.c.education == 'Unknown').values(education=None))
    for old, new in EVENT_KINDS.items():
        op.execute(events.update().where(events.c.kind == old).values(kind=new))


def downgrade():
    # "No formal education" and "Unknown" are not told apart from ISCED 0 and blank any more:
    # only the spellings go back.
    for old, new in EDUCATION.items():
        if old != 'None':
            op.execute(cases.update().where(cases.c.education == new).values(education=old))
    for old, new in EVENT_KINDS.items():
        op.execute(events.update().where(events.c.kind == new).values(kind=old))
