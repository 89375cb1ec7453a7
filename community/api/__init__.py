"""The JSON API v1: a second door onto the same domain functions as the pages."""
