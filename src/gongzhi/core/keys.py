"""Keys generated into the data folder when the environment does not provide them (demo, development)."""

import base64
import os
import secrets
from pathlib import Path


def load_or_create_key(path: Path) -> str:
    """Return the base64 key stored at ``path``, creating a random 32-byte one (mode 0600) if absent."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
