"""Version 2 of the API (`/api/v2`): only the resources whose shape changed.

Everything else stays at `/api` (version 1, the RealWorld contract). A v1 operation with a
v2 successor announces its retirement (README "Versioning").
"""

from fastapi import APIRouter

from app.routers.v2 import profiles

API_V2_ROUTERS: tuple[APIRouter, ...] = (profiles.router,)
