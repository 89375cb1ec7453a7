"""CSRF tokens as pages show them: masked afresh for every response (#22)."""

from __future__ import annotations

import secrets
from base64 import urlsafe_b64decode, urlsafe_b64encode


def mask_token(token: str) -> str:
    """The CSRF token as a page shows it: XORed with a fresh random pad, the pad before it, so
    no two responses carry the same bytes and a compressed page cannot be made to leak it by
    reflecting guesses (BREACH, #22). `unmask` gives the token back."""
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    return urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(raw, pad, strict=True))).decode()


def unmask(given: str) -> str:
    """The token inside a masked one ("" if it is not one)."""
    try:
        both = urlsafe_b64decode(given.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return ""
    half = len(both) // 2
    if not half or len(both) != 2 * half:
        return ""
    pad, masked = both[:half], both[half:]
    return bytes(a ^ b for a, b in zip(masked, pad, strict=True)).decode("latin-1")
