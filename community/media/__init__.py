"""Images members upload (a story's cover): checked, re-encoded without their metadata,
resized, and kept in the database, so every web process on every machine serves each one."""
