"""Deliveries end to end: committed events, a real worker, a real receiving server on loopback."""

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import Settings
from app.core.jobs import FailedJob, failed_jobs
from app.core.jobs.worker import run_worker
from app.core.webhooks import SIGNATURE_HEADER, verify
from app.identity.users.models import User
from app.integrations.webhooks.events import DELIVERY_JOB, emit
from app.integrations.webhooks.jobs import deliver_webhook  # noqa: F401 (declares the task, as the worker command does)
from app.integrations.webhooks.schemas import WebhookEvent
from tests.support.peer import Peer, running_peer
from tests.support.users import RegisteredUser, register

# Any event of the catalog: what causes it is the features' business (tests/conduit/).
EVENT = next(iter(WebhookEvent))


@dataclass
class Stack:
    client: AsyncClient
    settings: Settings
    prefix: str
    engine: AsyncEngine

    async def user(self, name: str) -> RegisteredUser:
        return await register(self.client, f"{self.prefix}{name}")

    async def hook(self, owner: RegisteredUser, url: str) -> dict[str, Any]:
        body = {"webhook": {"url": url, "events": [EVENT.value]}}
        response = await self.client.post("/api/webhooks", headers=owner.headers, json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()["webhook"]
        return created

    async def announce(self, fan: RegisteredUser, owner: RegisteredUser) -> None:
        """What a feature's service does when `fan` causes an event for `owner`: `emit`, in
        the transaction of the change (here one of its own, committed)."""
        async with AsyncSession(self.engine) as session, session.begin():
            owner_id = await session.scalar(select(User.id).where(User.username == owner.username))
            assert owner_id is not None
            await emit(session, owner_id, EVENT, {"from": fan.username})

    async def deliveries(self, owner: RegisteredUser, hook_id: int) -> list[dict[str, Any]]:
        response = await self.client.get(
            f"/api/webhooks/{hook_id}/deliveries", headers=owner.headers
        )
        deliveries: list[dict[str, Any]] = response.json()["deliveries"]
        return deliveries

    async def until_settled(self, owner: RegisteredUser, hook_id: int) -> dict[str, Any]:
        """Run a worker until no webhook job is left to run; the newest delivery then."""
        worker = asyncio.create_task(
            run_worker(
                self.settings, queues=[DELIVERY_JOB.queue], install_signal_handlers=False,
                poll_seconds=0.05,
            )
        )  # fmt: skip
        try:
            async with asyncio.timeout(60):
                while await self._jobs_to_run():  # noqa: ASYNC110 (the worker is another task)
                    await asyncio.sleep(0.05)
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        return (await self.deliveries(owner, hook_id))[0]

    async def _jobs_to_run(self) -> int:
        async with self.engine.connect() as connection:
            count = await connection.scalar(
                text(
                    "SELECT count(*) FROM procrastinate_jobs WHERE queue_name = :queue "
                    "AND status IN ('todo', 'doing')"
                ),
                {"queue": DELIVERY_JOB.queue},
            )
            await connection.rollback()
        return int(count or 0)


@pytest.fixture
def peer() -> Iterator[Peer]:
    with running_peer() as peer:
        yield peer


@pytest.fixture
def tuned(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    overrides = getattr(request, "param", {})
    return settings.model_copy(
        update={
            "webhook_allowed_networks": ["127.0.0.0/8"],
            "job_max_attempts": 3,
            "job_retry_base_seconds": 0.05,
            "webhook_failure_budget": 10,
            **overrides,
        }
    )


@pytest.fixture
async def stack(tuned: Settings, engine: AsyncEngine) -> AsyncIterator[Stack]:
    """The app with its own pool (requests commit for real), cleaned up afterwards."""
    from app.main import create_app  # noqa: PLC0415 (see conftest: app fixture)

    app = create_app(tuned)
    prefix = f"wh{uuid.uuid4().hex[:8]}"
    async with app.router.lifespan_context(app):
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
            yield Stack(client, tuned, prefix, engine)
        async with app.state.sessions.transactional.begin() as session:
            await session.execute(delete(User).where(User.username.startswith(prefix)))
            await session.execute(
                text("DELETE FROM procrastinate_jobs WHERE queue_name = :queue"),
                {"queue": DELIVERY_JOB.queue},
            )


async def test_an_event_is_delivered_signed(stack: Stack, peer: Peer) -> None:
    owner, fan = await stack.user("owner"), await stack.user("fan")
    hook = await stack.hook(owner, f"{peer.base_url}/ok")
    await stack.announce(fan, owner)

    delivery = await stack.until_settled(owner, hook["id"])
    assert (delivery["status"], delivery["attempts"], delivery["responseStatus"]) == (
        "succeeded", 1, 200,
    )  # fmt: skip
    [received] = peer.requests
    payload = json.loads(received.body)
    assert payload["id"] == delivery["id"]
    assert payload["event"] == EVENT.value
    assert payload["data"] == {"from": fan.username}
    header = received.headers[SIGNATURE_HEADER.lower()]
    timestamp = int(header.split(",")[0].removeprefix("t="))
    assert verify(hook["secret"], header, received.body, now=timestamp)


async def test_a_failing_receiver_is_retried_then_the_delivery_fails(
    stack: Stack, peer: Peer, engine: AsyncEngine
) -> None:
    owner, fan = await stack.user("owner"), await stack.user("fan")
    hook = await stack.hook(owner, f"{peer.base_url}/status/500")
    await stack.announce(fan, owner)

    delivery = await stack.until_settled(owner, hook["id"])
    assert (delivery["status"], delivery["attempts"]) == ("failed", 3)
    assert (delivery["responseStatus"], delivery["error"]) == (500, "answered 500")
    assert len(peer.requests) == 3
    endpoint = (await stack.client.get(f"/api/webhooks/{hook['id']}", headers=owner.headers)).json()
    assert endpoint["webhook"]["consecutiveFailures"] == 3
    assert endpoint["webhook"]["enabled"] is True
    dead = await _dead_webhook_jobs(engine)  # the job itself is in the dead letter
    assert [job.args for job in dead] == [{"delivery_id": delivery["id"]}]


async def _dead_webhook_jobs(engine: AsyncEngine) -> list[FailedJob]:
    async with engine.connect() as connection:
        session = AsyncSession(bind=connection)
        jobs = [job for job in await failed_jobs(session) if job.queue_name == DELIVERY_JOB.queue]
        await session.close()
    return jobs


@pytest.mark.parametrize(
    "tuned", [{"webhook_failure_budget": 2, "job_max_attempts": 5}], indirect=True
)
async def test_the_failure_budget_disables_the_endpoint(stack: Stack, peer: Peer) -> None:
    owner, fan, other = await stack.user("owner"), await stack.user("fan"), await stack.user("o")
    hook = await stack.hook(owner, f"{peer.base_url}/redirect")  # redirects are not followed
    await stack.announce(fan, owner)

    delivery = await stack.until_settled(owner, hook["id"])
    assert (delivery["status"], delivery["attempts"], delivery["responseStatus"]) == (
        "failed", 2, 302,
    )  # fmt: skip
    assert peer.count("/ok") == 0
    path = f"/api/webhooks/{hook['id']}"
    endpoint = (await stack.client.get(path, headers=owner.headers)).json()["webhook"]
    assert endpoint["enabled"] is False
    assert endpoint["disabledReason"] == (
        "disabled after 2 failed deliveries in a row; last: answered 302"
    )
    await stack.announce(other, owner)  # a disabled endpoint gets no new deliveries
    assert len(await stack.deliveries(owner, hook["id"])) == 1

    again = await stack.client.put(path, headers=owner.headers, json={"webhook": {"enabled": True}})
    webhook = again.json()["webhook"]
    assert (webhook["enabled"], webhook["disabledReason"], webhook["consecutiveFailures"]) == (
        True, None, 0,
    )  # fmt: skip


async def test_ping_uses_the_client_the_lifespan_created(stack: Stack, peer: Peer) -> None:
    owner = await stack.user("owner")
    hook = await stack.hook(owner, f"{peer.base_url}/ok")
    response = await stack.client.post(f"/api/webhooks/{hook['id']}/ping", headers=owner.headers)
    assert response.json() == {"responseStatus": 200}
    assert json.loads(peer.requests[-1].body)["event"] == "ping"
