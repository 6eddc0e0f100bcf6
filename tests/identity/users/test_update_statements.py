"""What `PUT /api/user` sends: a savepoint only for the changes that can collide."""

from sqlalchemy import event

from tests.support.committed import CommittedApp, committed_app
from tests.support.users import register


def _record(app: CommittedApp) -> list[str]:
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(app.app.state.engine.sync_engine, "before_cursor_execute", record)
    return statements


async def test_a_bio_change_is_the_sign_in_with_its_quota_and_one_update() -> None:
    async with committed_app() as app:
        user = await register(app.client, f"{app.prefix}bio")
        await app.client.get("/api/user", headers=user.headers)  # the token check cached
        statements = _record(app)

        response = await app.client.put(
            "/api/user", headers=user.headers, json={"user": {"bio": "new"}}
        )

        assert response.status_code == 200
        assert response.json()["user"]["bio"] == "new"
        kinds = [statement.split()[0] for statement in statements]
        assert "SAVEPOINT" not in kinds
        # The sign-in read carrying the write quota's count (one statement), then the user's.
        assert kinds == ["WITH", "UPDATE"]
        assert "rate_limit_counters" in statements[0]
        assert "user_sessions" in statements[0]


async def test_a_username_change_is_flushed_in_a_savepoint_and_a_taken_one_is_409() -> None:
    async with committed_app() as app:
        user = await register(app.client, f"{app.prefix}one")
        other = await register(app.client, f"{app.prefix}two")
        statements = _record(app)

        renamed = await app.client.put(
            "/api/user", headers=user.headers, json={"user": {"username": f"{app.prefix}new"}}
        )
        taken = await app.client.put(
            "/api/user", headers=other.headers, json={"user": {"username": f"{app.prefix}new"}}
        )

        assert renamed.status_code == 200
        assert any(statement.startswith("SAVEPOINT") for statement in statements)
        assert taken.status_code == 409
        assert taken.json()["errors"] == {"username": ["has already been taken"]}
