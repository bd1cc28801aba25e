"""Documents anchored by their SHA-256: who anchored them, when, and who countersigned."""

DOCUMENT_KINDS = (
    "agreement",
    "rosreestr_filing",
    "rospatent_filing",
    "report",
    "decision",
    "other",
)


def anchor_key(sha256: str) -> str:
    """State key of an anchored document."""
    return f"notary/anchor/{sha256}"
