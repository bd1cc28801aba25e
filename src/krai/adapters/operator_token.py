"""The operator's bearer token for the HTTP API's vault routes.

A random secret on one line of ``<home>/keys/api-operator.token``, created with mode 0600 on
the first ``krai serve`` and never over an existing file. A token file the group or others may
read is refused, as the vault's master key is: the routes it guards then refuse everyone.
"""

import os
import secrets
import stat
from pathlib import Path

from krai.app.ports import OperatorTokenError

TOKEN_BYTES = 32


def ensure_operator_token(path: Path) -> bool:
    """Create the token file if there is none; True when it was created now."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(TOKEN_BYTES) + "\n")
    return True


def load_operator_token(path: Path) -> str:
    """The token in ``path``, or ``OperatorTokenError`` saying what the operator must fix."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise OperatorTokenError(f"cannot read the operator token {path}: {error}") from None
    if stat.S_IMODE(mode) & 0o077:
        raise OperatorTokenError(
            f"the operator token {path} may be read by others (mode "
            f"{stat.S_IMODE(mode):04o}); run `chmod 600 {path}`"
        )
    if len(text) < TOKEN_BYTES:
        raise OperatorTokenError(f"the operator token {path} is too short")
    return text
