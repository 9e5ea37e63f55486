"""The risk check: model (what it answers), normalise (the text it reads), check (the
patterns at work), load (the YAML it is built from)."""
