"""attachment chunks: attachments stored in the database

Revision ID: 8a6d70fc99b1
Revises: a0cdc01b5b87
Create Date: 2026-12-07 21:40:46.157416+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8a6d70fc99b1'
down_revision = 'a0cdc01b5b87'
branch_labels = None
depends_on = None


def upgrade():
    # Existing files are moved in by `flask attachments migrate` (resumable, in batches, while
    # the application runs), not here: a migration must not read every file of the disk.
    op.create_table('attachment_chunks',
    sa.Column('attachment_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_attachment_chunks_attachment_id_attachments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attachment_id', 'seq', name=op.f('pk_attachment_chunks'))
    )


def downgrade():
    # The next revision's downgrade has written every attachment held only here back to a file.
    op.drop_table('attachment_chunks')
