"""Email: the transactional outbox, rendering, delivery backends and the delivery job.

Knows no feature: callers pass a recipient address, a template name, a context and a key.
"""
