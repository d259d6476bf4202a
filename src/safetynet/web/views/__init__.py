"""The web shell's views: each parses the request, calls one selector or service, renders."""
