"""The table of a model, for Core statements built once at import."""

from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import DeclarativeBase


def table_of(model: type[DeclarativeBase]) -> Table:
    """`model.__table__`, typed as the Table a declarative model always has.

    Why Core on the hot writes: an insert, update or delete of the entity runs the ORM's
    bulk machinery per execution (its parameters re-read, the identity map synchronized)
    and a statement built per request costs its cache key each time; a statement of the
    table, built once with bound parameters, costs neither.
    """
    return cast(Table, model.__table__)
