"""The real application plus a deliberately slow route, for the graceful-shutdown test."""

import asyncio

from app.main import create_app

app = create_app()


@app.get("/slow")
async def slow() -> dict[str, bool]:
    await asyncio.sleep(3)
    return {"finished": True}
