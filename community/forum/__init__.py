"""Forums: every group's threads and posts, quotes, edits and their history, reactions,
@mentions, moderation (pin, lock, hide) and each member's read position."""
