"""Site administration pages that span features: the email outbox."""
