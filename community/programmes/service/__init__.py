"""Programmes: creating one over a series of new sessions or events already scheduled,
enrolling once for all its sessions (a guarded count of places, a waitlist promoted exactly
once), completion from attendance (hours credited once, a certificate issued once), and the
certificates anyone can check.

Hours: a programme's sessions carry none of their own. Completing the programme credits its
hours once, in the learning record and the yearly CPD record, on the day of the last session
attended; a member who attends sessions without completing earns no hours from them.
"""

from __future__ import annotations

from community.programmes.service.access import (
    NOT_FOUND,
    ProgrammeView,
    access_programme,
    ensure_manages,
    group_slugs,
    programme_of_event,
    visible,
)
from community.programmes.service.certificates import (
    CODE_ALPHABET,
    CODE_LENGTH,
    new_code,
    normal_code,
    own_certificate,
    revoke,
    verify,
)
from community.programmes.service.completion import (
    Progress,
    complete_all_who_meet,
    complete_if_met,
    progress_of,
)
from community.programmes.service.enrolment import (
    enrol,
    ensure_enrolment_open,
    promote_waitlist,
    withdraw,
)
from community.programmes.service.reads import (
    LearningRow,
    ProgrammeCard,
    ProgrammePage,
    SessionRow,
    Sheet,
    SheetRow,
    completion_sheet,
    list_programmes,
    my_learning,
    programme_page,
    providers,
)
from community.programmes.service.sessions import Span, session_events, sessions_in_order, spans
from community.programmes.service.terms import (
    cancel_programme,
    create_programme,
    create_programme_from_events,
    details_of,
    programme_to_edit,
    update_programme,
)

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "NOT_FOUND",
    "LearningRow",
    "ProgrammeCard",
    "ProgrammePage",
    "ProgrammeView",
    "Progress",
    "SessionRow",
    "Sheet",
    "SheetRow",
    "Span",
    "access_programme",
    "cancel_programme",
    "complete_all_who_meet",
    "complete_if_met",
    "completion_sheet",
    "create_programme",
    "create_programme_from_events",
    "details_of",
    "enrol",
    "ensure_enrolment_open",
    "ensure_manages",
    "group_slugs",
    "list_programmes",
    "my_learning",
    "new_code",
    "normal_code",
    "own_certificate",
    "programme_of_event",
    "programme_page",
    "programme_to_edit",
    "progress_of",
    "promote_waitlist",
    "providers",
    "revoke",
    "session_events",
    "sessions_in_order",
    "spans",
    "update_programme",
    "verify",
    "visible",
    "withdraw",
]
