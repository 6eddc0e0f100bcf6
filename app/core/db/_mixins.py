from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, func
from sqlalchemy.orm import Mapped, mapped_column


class Timestamps:
    """`created_at` set once by the database; `updated_at` refreshed on every ORM update."""

    # Fetch both with RETURNING on INSERT/UPDATE instead of a second SELECT.
    __mapper_args__: ClassVar[dict[str, Any]] = {"eager_defaults": True}

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        server_default=func.now(),
        # The wall clock, not now(): that is the transaction's start, shared by its updates.
        onupdate=func.clock_timestamp(),
    )
