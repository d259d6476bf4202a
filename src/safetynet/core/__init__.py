"""Framework-free building blocks: errors, resident IDs, masking, field keys and encryption."""
