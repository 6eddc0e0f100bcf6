"""Small building blocks shared by the pure-ASGI middleware in this package."""

from starlette.types import Message, Send


class ResponseRecorder:
    """Wraps `send` to remember whether and with which status the app answered."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False
        self.status = 500  # what the client gets if the app fails before answering

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = message["status"]
        await self._send(message)
