"""when each session last proved the password (re-authentication for sensitive changes)

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-02 23:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Sessions open today count as proven now: nobody is asked to re-authenticate at once.
    op.add_column(
        "user_sessions",
        sa.Column(
            "authenticated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("user_sessions", "authenticated_at")
