"""The rewrite, in the order of its steps: find the blocks of blame and the writer's own words
around them (blocks), read the situation (behaviour, reading), pick feeling, need and request
(parts, topics, choose), compose and check (compose); model holds the types and words the
small word-level helpers."""
