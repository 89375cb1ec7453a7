"""Named URLs, for the pages, the redirects and what leaves the site (emails, notifications,
calendar files): `path("events:detail", event_id=3)` is "/events/3", and `absolute_url` puts
BASE_URL before it. Keywords the path does not name become its query string (None is left out).

The table is the site's routes' names and paths, registered once by `community.features` when
it is imported (every entry imports it), so the domain, which knows no HTTP, can name a page
without importing a route, and a renamed path changes everywhere at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urlencode

from community.settings import current as current_settings

#: a path parameter in a route's pattern, with its optional convertor: {event_id:int}
_PARAM = re.compile(r"{(\w+)(?::\w+)?}")
#: name: (the path as a format string, the names it takes)
_TABLE: dict[str, tuple[str, tuple[str, ...]]] = {}


def register(named: Iterable[tuple[str, str]]) -> None:
    """Add (name, route pattern) pairs; one name cannot mean two paths."""
    for name, pattern in named:
        entry = (_PARAM.sub(r"{\1}", pattern), tuple(_PARAM.findall(pattern)))
        if _TABLE.setdefault(name, entry) != entry:
            raise ValueError(f"two paths are named {name!r}: {_TABLE[name][0]} and {entry[0]}")


def names() -> list[str]:
    return sorted(_TABLE)


def path(name: str, /, **params: object) -> str:
    """The local path of the page with this name."""
    try:
        template, takes = _TABLE[name]
    except KeyError:
        hint = "" if _TABLE else " (no page is registered: import community.features first)"
        raise LookupError(f"no page is named {name!r}{hint}") from None
    try:
        # a number needs no quoting (most parameters are ids)
        result = template.format_map(
            {
                key: str(value) if type(value) is int else quote(str(value), safe="")
                for key in takes
                for value in (params[key],)
            }
        )
    except KeyError as missing:
        raise LookupError(f"the page {name!r} needs {missing}") from None
    query = [
        (key, value) for key, value in params.items() if key not in takes and value is not None
    ]
    return f"{result}?{urlencode(query)}" if query else result


def absolute_url(name: str, /, **params: object) -> str:
    """The page's address for an email, a notification or a calendar file, from BASE_URL."""
    return current_settings().base_url.rstrip("/") + path(name, **params)
