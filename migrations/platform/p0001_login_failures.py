"""count failed logins (login throttling, app/core/ratelimit/_login_throttle.py)

Revision ID: p0001
Revises:
Create Date: 2026-11-25 18:50:46.052972
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "p0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("platform",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failures")),
    )
    op.create_index(
        op.f("ix_login_failures_window_started_at"),
        "login_failures",
        ["window_started_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_login_failures_window_started_at"), table_name="login_failures")
    op.drop_table("login_failures")
