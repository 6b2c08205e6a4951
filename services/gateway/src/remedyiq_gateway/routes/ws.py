"""``/api/v1/ws``: the MVP WebSocket (``?token=<jwt or riq_ token>``; see ``wsproto``)."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from remedyiq_gateway.auth import Authenticator
from remedyiq_gateway.deps import Resources
from remedyiq_gateway.errors import ApiError
from remedyiq_gateway.events import ProgressHub
from remedyiq_gateway.settings import GatewaySettings
from remedyiq_gateway.wsproto import Session

router = APIRouter()

CLOSE_POLICY = 1008


@router.websocket("/ws")
async def websocket(ws: WebSocket) -> None:
    state = ws.app.state
    resources: Resources = state.resources
    authenticator: Authenticator = state.authenticator
    settings: GatewaySettings = state.settings
    hub: ProgressHub = state.hub
    headers = {key.lower(): value for key, value in ws.headers.items()}
    try:
        principal = await authenticator.authenticate(
            resources.db, headers, ws.query_params.get("token")
        )
    except ApiError as exc:  # refused before the handshake completes (HTTP 403)
        await ws.close(code=CLOSE_POLICY, reason=exc.message[:120])
        return
    await ws.accept()
    await Session(ws, principal, resources, hub, settings).run()
