"""``/v1`` JSON routes and the C2SP endpoints, one router per concept, gathered here."""

from fastapi import APIRouter

from krai.entrypoints.api import (
    c2sp,
    energy,
    identity,
    log,
    parks,
    payments,
    problems,
    receipts,
    transactions,
    vault,
)

router = APIRouter()
for concept in (transactions, log, c2sp, identity, parks, energy, payments, vault, problems):
    router.include_router(concept.router)
router.include_router(receipts.router)
