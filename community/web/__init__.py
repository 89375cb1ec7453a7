"""Web plumbing, no features: sessions, CSRF, headers, rate limits, templates, error pages."""
