"""Named URLs: every page route has a name, the page templates build their links and form
actions with `url(name, **params)` instead of writing paths, and every form that posts is the
`forms.form` macro, which always carries the CSRF input."""

from __future__ import annotations

import re

import jinja2
import pytest
from starlette.routing import BaseRoute, Route

from community import urls
from community.features import FEATURES
from community.settings import Settings
from community.web.templates import asset_dir, make_templates

TEMPLATES = asset_dir("templates")
MACROS = "_macros/forms.html"
#: the pages' templates: the emails (templates/email) write absolute addresses of their own
PAGES = sorted(
    path.relative_to(TEMPLATES).as_posix()
    for path in TEMPLATES.rglob("*.html")
    if path.relative_to(TEMPLATES).parts[0] != "email"
)

#: an attribute whose value starts with a local path: href="/…", action="/…", formaction,
#: hx-post, data-url… (the static files keep their paths until they are hashed)
_LITERAL_ATTRIBUTE = re.compile(r"""[\s<][\w:.-]+\s*=\s*["']/(?!static/)""")
#: a path written into a redirect's query: ?next=/groups/…
_LITERAL_NEXT = re.compile(r"""next=/""")
#: a Jinja tag or expression
_JINJA = re.compile(r"{[{%].*?[}%]}", re.S)
#: a string literal in it that starts like a path ("/groups/" ~ slug), unless it only tests a
#: path (action.endswith("/edit")) or names a static file
_PATH_LITERAL = re.compile(r"""(?<!endswith\()(?<!startswith\()(["'])/(?!static/)[^"']*\1""")
_FORM_CALL = re.compile(r"{%-?\s*call\s+forms\.form\(")
_IMPORT_WITH_CONTEXT = '{% import "_macros/forms.html" as forms with context %}'
_INCLUDE = re.compile(r"""{%-?\s*include\s+["']([^"']+)["']""")


def source(name: str) -> str:
    return (TEMPLATES / name).read_text()


def lines_matching(pattern: re.Pattern[str], text: str) -> list[str]:
    return [
        f"line {text.count(chr(10), 0, match.start()) + 1}: {match.group(0).strip()}"
        for match in pattern.finditer(text)
    ]


def test_the_page_templates_are_found() -> None:
    assert "base.html" in PAGES and "forum/thread.html" in PAGES and MACROS in PAGES
    assert not [name for name in PAGES if name.startswith("email/")]


@pytest.mark.parametrize("name", [name for name in PAGES if name != MACROS])
def test_a_page_template_writes_no_csrf_input_and_no_local_path(name: str) -> None:
    text = source(name)
    problems = lines_matching(re.compile(r"""name=["']csrf_token["']"""), text)
    problems += lines_matching(_LITERAL_ATTRIBUTE, text)
    problems += lines_matching(_LITERAL_NEXT, text)
    for tag in _JINJA.finditer(text):
        if _PATH_LITERAL.search(tag.group(0)):
            line = text.count("\n", 0, tag.start()) + 1
            problems.append(f"line {line}: {tag.group(0)}")
    assert not problems, (
        f"{name}: write a POST form as {{% call forms.form(url(...)) %}} and a local path as "
        f"url(name, **params):\n" + "\n".join(problems)
    )


def test_only_the_form_macro_writes_the_csrf_input() -> None:
    assert source(MACROS).count('name="csrf_token" value="{{ csrf_token }}"') == 1


def test_every_post_form_of_a_page_is_the_macro() -> None:
    """A plain <form> of a page template is a GET form (a search, the filters)."""
    plain = {
        name: re.findall(r"<form\b[^>]*>", source(name), flags=re.I)
        for name in PAGES
        if name != MACROS
    }
    posting = {
        name: [tag for tag in tags if not re.search(r"""method=["']get["']""", tag, re.I)]
        for name, tags in plain.items()
    }
    assert not {name: tags for name, tags in posting.items() if tags}


def test_a_template_using_the_form_macro_imports_it_with_context() -> None:
    """The macro reads the page's csrf_token, so a page imports it `with context` (once: the
    partials a page includes, like forum/_post.html fifty times, use the page's import)."""
    users = {name for name in PAGES if name != MACROS and _FORM_CALL.search(source(name))}
    includers: dict[str, set[str]] = {}
    for name in PAGES:
        for included in _INCLUDE.findall(source(name)):
            includers.setdefault(included, set()).add(name)

    def imports_with_context(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if _IMPORT_WITH_CONTEXT in source(name):
            return True
        parents = includers.get(name, set()) - seen
        return bool(parents) and all(imports_with_context(p, seen | {name}) for p in parents)

    assert users and not [name for name in sorted(users) if not imports_with_context(name)]


# ------------------------------------------------------------------------------ the names


def feature_routes() -> list[tuple[str, BaseRoute]]:
    return [(feature.name, route) for feature in FEATURES for route in feature.routes]


def route_names() -> set[str]:
    return {route.name for _, route in feature_routes() if isinstance(route, Route)}


def test_every_route_of_a_feature_has_an_explicit_unique_name() -> None:
    names: dict[str, str] = {}
    for feature, route in feature_routes():
        assert isinstance(route, Route), route
        # without name=, Starlette names a route after its endpoint: no feature prefix
        assert route.name == "home" or re.fullmatch(rf"{feature}:[a-z][a-z0-9_]*", route.name), (
            f"{feature}: {sorted(route.methods or ())} {route.path} is named {route.name!r}, "
            f"not {feature}:<what>"
        )
        assert route.name not in names, (
            f"{route.name} names {names.get(route.name)} and {route.path}"
        )
        names[route.name] = route.path
    assert names["home"] == "/"


def test_the_url_table_holds_every_route_name() -> None:
    assert set(urls.names()) >= route_names()


# ------------------------------------------------------------------------------ url()


def test_url_fills_in_the_path_parameters() -> None:
    assert urls.path("home") == "/"
    assert urls.path("events:detail", event_id=3) == "/events/3"
    assert urls.path("forum:flag_review", post_id=8, decision="hide") == "/posts/8/flags/hide"
    assert (
        urls.path("groups:request_approve", slug="peer-support", request_id=4)
        == "/groups/peer-support/requests/4/approve"
    )
    assert urls.path("groups:detail", slug="a b/c") == "/groups/a%20b%2Fc"  # one segment


def test_url_writes_other_keywords_as_the_query_string_without_none() -> None:
    assert urls.path("forum:thread", thread_id=5, page=2) == "/threads/5?page=2"
    assert urls.path("forum:thread", thread_id=5, page=2, quote=9) == "/threads/5?page=2&quote=9"
    assert urls.path("forum:thread", thread_id=5, page=None) == "/threads/5"
    assert urls.path("events:list", when="past") == "/events?when=past"
    assert (
        urls.path("groups:directory", mine=1, q="café & co") == "/groups?mine=1&q=caf%C3%A9+%26+co"
    )


def test_url_refuses_an_unknown_name_or_a_missing_parameter() -> None:
    with pytest.raises(LookupError, match="no page is named"):
        urls.path("forum:nothing")
    with pytest.raises(LookupError, match="needs"):
        urls.path("forum:thread", page=2)


@pytest.fixture(scope="module")
def env(settings: Settings) -> jinja2.Environment:
    return make_templates(settings).env


def test_url_in_a_template_is_escaped_and_keeps_a_fragment(env: jinja2.Environment) -> None:
    template = env.from_string(
        '<a href="{{ url("forum:thread", thread_id=t, page=p, quote=q) }}#post-{{ n }}">'
    )
    assert (
        template.render(t=5, p=2, q=9, n=51) == '<a href="/threads/5?page=2&amp;quote=9#post-51">'
    )
    assert template.render(t=5, p=None, q=None, n=1) == '<a href="/threads/5#post-1">'


# ------------------------------------------------------------------------------ the form


def test_the_form_macro_carries_the_csrf_input_and_the_attributes(env: jinja2.Environment) -> None:
    template = env.from_string(
        _IMPORT_WITH_CONTEXT
        + '{% call forms.form(url("forum:create", slug=slug), class="inline-form", id="new",'
        ' novalidate=true, hidden=false, title=none, aria_label="New", **{"data-x": "<1>"}) %}'
        "<button>Post</button>\n{% endcall %}"
    )
    assert template.render(slug="peer-support", csrf_token="abc") == (
        '\n<form method="post" action="/groups/peer-support/threads" class="inline-form" id="new"'
        ' aria-label="New" data-x="&lt;1&gt;" novalidate>\n'
        '<input type="hidden" name="csrf_token" value="abc">\n'
        "<button>Post</button>\n"
        "</form>\n"
    )


def test_the_form_macro_without_an_action_posts_to_the_page(env: jinja2.Environment) -> None:
    template = env.from_string(
        _IMPORT_WITH_CONTEXT + "{% call forms.form(none) %}<button>Go</button>{% endcall %}"
    )
    assert template.render(csrf_token="abc").startswith(
        '\n<form method="post">\n<input type="hidden"'
    )


def test_the_form_macro_imported_without_context_fails_loudly(env: jinja2.Environment) -> None:
    """Rather than a form whose token is empty (every post of it refused)."""
    template = env.from_string(
        '{% import "_macros/forms.html" as forms %}'
        '{% call forms.form("/x") %}<button>Go</button>{% endcall %}'
    )
    with pytest.raises(jinja2.UndefinedError, match="csrf_token"):
        template.render(csrf_token="abc")
