"""Notifications' part of the site: the inbox, email choices, and the emails themselves."""

from __future__ import annotations

from community.notifications.api import api
from community.notifications.delivery import send_digests, send_pending_emails
from community.notifications.routes import routes
from community.web.features import Feature, Job, NavLink

feature = Feature(
    name="notifications",
    routes=routes,
    api=api,
    nav=[
        NavLink("Notifications", "/notifications", members_only=True, badge="unread_notifications")
    ],
    jobs=[
        Job(
            "email_notifications",
            lambda _: send_pending_emails(),
            every=lambda settings: settings.scheduler_tick_seconds,
        ),
        # every quarter hour (zones differ by 30 and 45 minutes), each member's digest goes
        # once their own 08:00 has passed; the first run catches up after a stop
        Job("daily_digests", lambda _: send_digests(), cron={"minute": "*/15"}),
    ],
)
