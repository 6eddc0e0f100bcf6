"""`make admin email=you@example.com`: give a registered account a role (admin by default).

The only way to make the first admin: no HTTP endpoint grants a role to an account that
is not already administered by an admin. Register the account through the API, then run
this where the database is reachable (`docker compose run --rm api python -m app.cli.admin
you@example.com` in Compose). The change goes through the same service as the admin API
and is recorded in the audit log with no actor.
"""

import argparse
import asyncio
import sys

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from app.core.auth import ROLES, Role
from app.core.config import settings_or_exit
from app.core.edge import COMMAND_LINE
from app.identity.accounts import service as accounts
from app.identity.users import service as users


class UnknownAccount(Exception):
    """No account has this email."""


async def grant_role(url: str, email: str, role: Role) -> str:
    """Give the account with this email the role; returns its username."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        async with sessions.begin() as session:
            user = await users.find_by_email(session, email)
            if user is None:
                raise UnknownAccount(email)
            await accounts.change_role(session, None, user, role, COMMAND_LINE)
            return user.username
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.cli.admin", description=__doc__)
    parser.add_argument("email", help="the email of a registered account")
    parser.add_argument("--role", choices=[role.value for role in ROLES], default=Role.ADMIN)
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    try:
        username = asyncio.run(grant_role(settings.database_url, args.email, Role(args.role)))
    except UnknownAccount:
        print(f"no account has the email {args.email!r}: register it first", file=sys.stderr)
        raise SystemExit(1) from None
    print(f"{username} ({args.email}) is now {args.role}")


if __name__ == "__main__":
    main()
