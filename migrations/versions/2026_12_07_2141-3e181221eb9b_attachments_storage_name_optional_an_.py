"""attachments storage name optional: an attachment in the database has no file

Revision ID: 3e181221eb9b
Revises: 8a6d70fc99b1
Create Date: 2026-12-07 21:41:50.775186+00:00

"""
import os
import secrets
from pathlib import Path

from alembic import op
from flask import current_app
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e181221eb9b'
down_revision = '8a6d70fc99b1'
branch_labels = None
depends_on = None

attachments = sa.table(
    'attachments', sa.column('id', sa.Uuid()), sa.column('storage_name', sa.String(64))
)
chunks = sa.table(
    'attachment_chunks',
    sa.column('attachment_id', sa.Uuid()),
    sa.column('seq', sa.Integer()),
    sa.column('data', sa.LargeBinary()),
)


def upgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.alter_column('storage_name', existing_type=sa.String(length=64), nullable=True)


def _file_name():
    while True:  # as casework.crypto.random_storage_name
        name = secrets.token_urlsafe(24)
        if not name.startswith("-"):
            return name


def downgrade():
    # Every attachment held only in the database is written back to a file (its pieces, one
    # after another, are the encrypted file format: no key is needed), one piece at a time.
    bind = op.get_bind()
    folder = Path(current_app.config["ATTACHMENT_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    ids = bind.execute(
        sa.select(attachments.c.id).where(attachments.c.storage_name.is_(None))
    ).scalars().all()
    for attachment_id in ids:
        name = _file_name()
        descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as target:
            seq = 0
            while True:
                piece = bind.execute(
                    sa.select(chunks.c.data).where(
                        chunks.c.attachment_id == attachment_id, chunks.c.seq == seq
                    )
                ).scalar()
                if piece is None:
                    break
                target.write(piece)
                seq += 1
            target.flush()
            os.fsync(target.fileno())
        bind.execute(
            attachments.update().where(attachments.c.id == attachment_id).values(storage_name=name)
        )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.alter_column('storage_name', existing_type=sa.String(length=64), nullable=False)
