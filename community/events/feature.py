"""Events' part of the site: events, RSVPs, calendars, attendance and learning records."""

from __future__ import annotations

from community.events import attendance_routes
from community.events.api import api
from community.events.reminders import send_due_reminders
from community.events.routes import group_events_section, routes
from community.web.features import Feature, Job, NavLink, Section

feature = Feature(
    name="events",
    routes=[*routes, *attendance_routes.routes],
    api=api,
    nav=[NavLink("Events", "/events")],
    group_home_sections=[Section("events/_group_events.html", group_events_section)],
    profile_sections=[
        Section("events/_profile_learning.html", attendance_routes.profile_learning_section)
    ],
    jobs=[
        Job(
            "send_reminders",
            lambda settings: send_due_reminders(settings.reminder_offsets),
            every=lambda settings: settings.scheduler_tick_seconds,
        )
    ],
)
