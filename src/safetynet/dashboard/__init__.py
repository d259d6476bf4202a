"""领导小组驾驶舱: the leading group's dashboard (docs/dashboard.md)."""
