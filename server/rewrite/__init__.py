"""The rewrite, in the order of its steps: read the situation (behaviour), pick feeling and
need (parts), compose and check (compose); model holds the types and words the small
word-level helpers."""
