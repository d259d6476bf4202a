"""花名册: the entitlements in force on a chosen date, filtered, sorted, paged and exported, in the
viewer's reach (docs/rosters.md)."""
