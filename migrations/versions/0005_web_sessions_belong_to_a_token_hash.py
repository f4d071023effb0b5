"""web sessions belong to a token's hash, not its name

A session stored the name of the token it was made with, and a name can be given to a
new token once the old one is revoked: a sign-in racing a revoke could leave a session
that the new token's name revived. A session now stores the token's sha256 (the unique
`api_token.token_hash`), so it belongs to exactly one token.

Existing sessions are dropped (the table is made anew): everyone signed in to the web
pages signs in again. Tokens are untouched. The downgrade drops the sessions too.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 07:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _recreate_web_session(owner: str) -> None:
    """web_session, empty, with `owner` (token_hash or token_name) as its indexed owner."""
    op.drop_table("web_session")
    op.create_table(
        "web_session",
        sa.Column("session_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(owner, sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("csrf_token", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_hash"),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_web_session_{owner}"), [owner], unique=False)


def upgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_token_name"))
    _recreate_web_session("token_hash")


def downgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_token_hash"))
    _recreate_web_session("token_name")
