"""巡访探视: village officers' visits to recipient and monitored households (docs/visits.md)."""
