"""roles and account deactivation (app/core/auth/_roles.py)

Existing users become role 'user', active.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 21:00:51.376064
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("role", sa.String(length=16), server_default="user", nullable=False)
    )
    op.create_check_constraint(
        op.f("ck_users_role"), "users", "role IN ('user', 'moderator', 'admin')"
    )
    op.add_column("users", sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "deactivated_at")
    op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
    op.drop_column("users", "role")
