"""The site's features, in the order their navigation links and panels appear: to add a
feature, write its folder with a `feature.py` (community/web/features.py says what it may
declare) and add one line here."""

from __future__ import annotations

from starlette.routing import Route

from community import urls
from community.accounts.feature import feature as accounts
from community.admin.feature import feature as admin
from community.events.feature import feature as events
from community.forum.feature import feature as forum
from community.groups.feature import feature as groups
from community.home.feature import feature as home
from community.media.feature import feature as media
from community.notifications.feature import feature as notifications
from community.people.feature import feature as people
from community.programmes.feature import feature as programmes
from community.stories.feature import feature as stories
from community.web.features import Feature

FEATURES: tuple[Feature, ...] = (
    home,
    groups,
    events,
    programmes,
    forum,
    people,
    stories,
    notifications,
    accounts,
    admin,
    media,
)

# every page's name, for `urls.path` in pages and redirects and `urls.absolute_url` in emails
urls.register(
    (route.name, route.path)
    for feature in FEATURES
    for route in feature.routes
    if isinstance(route, Route)
)
