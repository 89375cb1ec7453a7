"""Every HTML form of the site, found the way a person would: by opening the pages of a demo
site and following its links. Used by the form fuzz tests."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from starlette.routing import Route

from community.features import FEATURES
from tests.conftest import BASE_URL, Browser

#: pages never opened while crawling: downloads, signed one-time links, and the way out
SKIP_PAGES = re.compile(r"^/(static|calendar|unsubscribe|verify|reset|logout)|\.(ics|csv)$|/csv")
#: at most this many pages with the same shape (digits folded) are opened
PER_SHAPE = 2


def start_pages() -> list[str]:
    """Every feature's pages that take no path parameter, from the manifest: a new feature's
    forms are crawled (and so fuzzed) without being listed anywhere."""
    return [
        route.path
        for feature in FEATURES
        for route in feature.routes
        if isinstance(route, Route)
        and "GET" in (route.methods or ())
        and "{" not in route.path
        and not SKIP_PAGES.search(route.path)
    ]


@dataclass
class Field:
    name: str
    kind: str  # an input's type, or "textarea" / "select"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    page: str
    method: str
    action: str
    fields: list[Field]

    @property
    def shape(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.method, fold(self.action), tuple(sorted({f.name for f in self.fields})))

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.action} (on {self.page})"


def fold(path: str) -> str:
    """A path with its numbers and group names folded, so /threads/1 and /threads/2 have one
    shape, and so have /groups/a/edit and /groups/b/edit."""
    folded = re.sub(r"\d+", "N", urlsplit(path).path)
    return re.sub(r"^/groups/(?!new(/|$))[^/]+", "/groups/S", folded)


class _PageParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._formactions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form":
            action = urljoin(self.page, a.get("action") or self.page)
            self._form = Form(self.page, (a.get("method") or "get").lower(), action, [])
        elif tag == "button" and self._form is not None and a.get("formaction"):
            self._formactions.append(urljoin(self.page, a["formaction"]))
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            self._form.fields.append(
                Field(a["name"], kind, a.get("value", "on" if kind == "checkbox" else ""), [])
            )
            self._form.fields[-1].checked = "checked" in a
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._form.fields.append(Field(a["name"], "submit", a.get("value", "")))
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            for action in self._formactions:  # a button that sends the form elsewhere
                self.forms.append(Form(self.page, "post", action, list(self._form.fields)))
            self._form = None
            self._formactions = []
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != BASE_URL:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def crawl(
    browser: Browser, start: list[str], *, limit: int = 300
) -> tuple[list[Form], list[str]]:
    """Open the pages of `start`, then those their links lead to (a few of each shape), and
    return each form of a new shape once (with the page it was found on), and the pages."""
    explicit = set(start)
    queue = deque(start)
    seen_pages: set[str] = set()
    shapes: dict[str, int] = {}
    forms: dict[tuple[str, str, tuple[str, ...]], Form] = {}
    while queue and len(seen_pages) < limit:
        path = queue.popleft()
        if path in seen_pages or SKIP_PAGES.search(urlsplit(path).path):
            continue
        shape = fold(path)
        if shapes.get(shape, 0) >= PER_SHAPE and path not in explicit:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        seen_pages.add(path)
        response = await browser.get(path)
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        parser = _PageParser(BASE_URL + path)
        parser.feed(response.text)
        for form in parser.forms:
            form.page = path
            action = _local(form.action)
            if action is None:
                continue
            form.action = action
            forms.setdefault(form.shape, form)
        for link in parser.links:
            local = _local(link.split("#")[0])
            if local and local not in seen_pages:
                queue.append(local)
    return list(forms.values()), sorted(seen_pages)
