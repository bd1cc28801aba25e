"""``/v1`` JSON routes and the C2SP endpoints."""

from fastapi import APIRouter

router = APIRouter()
