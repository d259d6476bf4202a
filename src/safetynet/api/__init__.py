"""The REST API (django-ninja) at /api/v1/: a shell that parses, calls a service or selector, renders."""
