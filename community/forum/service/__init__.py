"""The forum's domain functions, split by topic; import them from here."""

from community.forum.service.moderation import (
    hide_post,
    hide_thread,
    list_revisions,
    moderate_post,
    moderate_thread,
    restore_post,
    restore_thread,
    set_locked,
    set_pinned,
)
from community.forum.service.posting import (
    delete_post,
    edit_post,
    preview,
    react,
    reply,
    start_thread,
    unreact,
)
from community.forum.service.reads import (
    POSTS_PER_PAGE,
    ThreadListing,
    ThreadPage,
    list_threads,
    recent_threads,
    thread_page,
)

__all__ = [
    "POSTS_PER_PAGE",
    "ThreadListing",
    "ThreadPage",
    "delete_post",
    "edit_post",
    "hide_post",
    "hide_thread",
    "list_revisions",
    "list_threads",
    "moderate_post",
    "moderate_thread",
    "preview",
    "react",
    "recent_threads",
    "reply",
    "restore_post",
    "restore_thread",
    "set_locked",
    "set_pinned",
    "start_thread",
    "thread_page",
    "unreact",
]
