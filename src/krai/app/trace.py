"""A payments trace with the proof of every link: each step's inclusion proof against the
signed checkpoint that covers the whole trace, and the audit's findings about it."""

from typing import Any

from krai.app.payments_audit import current_findings
from krai.app.ports import Storage
from krai.app.proofs import prove_inclusion
from krai.modules.payments.audit import Finding


def with_proofs(storage: Storage, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """The steps, each with its inclusion proof in the tree of the latest checkpoint."""
    checkpoint = storage.latest_checkpoint()
    size = checkpoint.size if checkpoint else 0
    proven = [
        {**step, "inclusion": prove_inclusion(storage, step["index"], size).to_json()}
        for step in steps
    ]
    return {"steps": proven, "checkpoint": checkpoint.note if checkpoint else None}


def flagged_trace(storage: Storage, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """The steps with their proofs (``with_proofs``), each with the findings of today's audit
    about it: a payment paid after death, an accrual above the rule, a back-dated decision
    (the audit is made once per log size: ``current_findings``)."""
    findings = current_findings(storage)
    traced = with_proofs(storage, steps)
    traced["steps"] = [
        {**step, "findings": [f for f in findings if _about(f, step["id"])]}
        for step in traced["steps"]
    ]
    return traced


def _about(finding: Finding, step_id: str) -> bool:
    """Whether a finding is about the step's record: its subject, a period of it
    (``assignment/2026-03``) or one of a pair (``first+second``)."""
    subject: str = finding["subject"]
    return subject == step_id or subject.startswith(f"{step_id}/") or step_id in subject.split("+")
