"""Workshop rooms: a facilitator's room that participants send drafts to, and its board."""
