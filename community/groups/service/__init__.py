"""The group domain functions, split by topic; import them from here."""

from community.groups.service.manage import (
    appoint_facilitator,
    create_group,
    remove_facilitator,
    remove_member,
    update_group,
)
from community.groups.service.membership import (
    accept_invitation,
    approve_join_request,
    decline_invitation,
    decline_join_request,
    invite,
    join_group,
    leave_group,
)
from community.groups.service.reads import (
    GroupHome,
    find_invitation,
    group_home,
    list_groups,
    list_invitations,
    list_join_requests,
    list_join_requests_page,
    list_members,
)

__all__ = [
    "GroupHome",
    "accept_invitation",
    "appoint_facilitator",
    "approve_join_request",
    "create_group",
    "decline_invitation",
    "decline_join_request",
    "find_invitation",
    "group_home",
    "invite",
    "join_group",
    "leave_group",
    "list_groups",
    "list_invitations",
    "list_join_requests",
    "list_join_requests_page",
    "list_members",
    "remove_facilitator",
    "remove_member",
    "update_group",
]
