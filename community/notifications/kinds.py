"""Kinds of notification. Each feature declares its own in its `kinds.py` (replies and
mentions in community/forum/kinds.py, invitations in community/groups/kinds.py…): the words
the email settings page shows, how it is emailed unless the member chooses, and whether a
daily digest may carry it. `all_kinds()` finds them on disk, as `db` finds the models, so a new
feature's kinds need no registering here; the settings page lists them feature by feature."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from community.notifications.models import KIND_MAX, Delivery


@dataclass(frozen=True)
class Kind:
    #: what the database stores and the API and the settings form name it by
    key: str
    #: the settings page's wording
    label: str
    #: how it is emailed to a member who has not chosen
    default: Delivery
    #: False: only at once or never (a reminder in tomorrow's digest is too late)
    digest: bool = True

    def __str__(self) -> str:
        return self.key

    def allows(self, delivery: Delivery) -> bool:
        """Whether it may be emailed that way."""
        return self.digest or delivery != Delivery.DIGEST


def _kind_modules() -> list[str]:
    root = Path(__file__).resolve().parent.parent
    return [f"community.{path.parent.name}.kinds" for path in sorted(root.glob("*/kinds.py"))]


@cache
def all_kinds() -> tuple[Kind, ...]:
    """Every feature's kinds: by feature (in folder order), each in the order it declares them."""
    found: list[Kind] = []
    for name in _kind_modules():
        module = importlib.import_module(name)
        found += [value for value in vars(module).values() if isinstance(value, Kind)]
    keys = [kind.key for kind in found]
    if len(set(keys)) != len(keys) or any(len(key) > KIND_MAX for key in keys):
        raise ValueError(f"notification kinds must be unique and short: {keys}")
    return tuple(found)


def kind_named(key: str) -> Kind:
    """The kind with this key; KeyError if there is none."""
    for kind in all_kinds():
        if kind.key == key:
            return kind
    raise KeyError(key)
