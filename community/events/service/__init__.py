"""The event domain functions, split by topic; import them from here."""

from community.events.service.reads import (
    EVENTS_PER_PAGE,
    MONTH_LIMIT,
    EventPage,
    event_page,
    events_between,
    group_choices,
    list_events,
    places_shown,
    upcoming_for_group,
    waitlist_lengths,
    waitlist_position,
)
from community.events.service.rsvp import (
    cancel_rsvp,
    cancel_rsvp_by_link,
    ensure_rsvp_open,
    promote_waitlist,
    rsvp,
)
from community.events.service.scheduling import (
    RESUBMIT_WINDOW,
    cancel_event,
    create_event,
    get_event_to_manage,
    update_event,
)
from community.events.service.series import (
    SeriesPage,
    create_series,
    rule_of,
    series_page,
    update_sessions,
)

__all__ = [
    "EVENTS_PER_PAGE",
    "MONTH_LIMIT",
    "RESUBMIT_WINDOW",
    "EventPage",
    "SeriesPage",
    "cancel_event",
    "cancel_rsvp",
    "cancel_rsvp_by_link",
    "create_event",
    "create_series",
    "ensure_rsvp_open",
    "event_page",
    "events_between",
    "get_event_to_manage",
    "group_choices",
    "list_events",
    "places_shown",
    "promote_waitlist",
    "rsvp",
    "rule_of",
    "series_page",
    "upcoming_for_group",
    "update_event",
    "update_sessions",
    "waitlist_lengths",
    "waitlist_position",
]
