"""Password hashing (argon2id) and the rules a new password must meet."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 200

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
# checked when no account matches: a wrong email costs the time of a wrong password
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")

# Common passwords of 10+ characters from public breach lists, lower-cased, one a line.
COMMON_PASSWORDS = frozenset(
    (Path(__file__).parent / "common_passwords.txt").read_text(encoding="utf-8").split()
)


def use_fast_hashing() -> None:
    """Cheap argon2id parameters, for test suites only (a real site keeps the defaults)."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if `password` matches; takes the same time when there is no hash to check."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """What is wrong with a new password, as a sentence, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return "That password is too common or too easy to guess. Choose another."
    if email and lowered in (email.lower(), email.lower().split("@")[0]):
        return "Do not use your email address as your password."
    if display_name and lowered == display_name.lower():
        return "Do not use your name as your password."
    return None
