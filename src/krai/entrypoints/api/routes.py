"""``/v1`` JSON routes and the C2SP endpoints: the ledger's own routers, and each module's
(named by its descriptor), gathered here."""

from fastapi import APIRouter

from krai.entrypoints.api import c2sp, log, mirror, problems, receipts, status, transactions
from krai.entrypoints.edges import load_edge
from krai.modules.release import MODULES

router = APIRouter()
for concept in (transactions, log, status, c2sp, mirror):
    router.include_router(concept.router)
for module in MODULES:
    for path in module.routers:
        router.include_router(load_edge(path, APIRouter))
router.include_router(problems.router)
router.include_router(receipts.router)
