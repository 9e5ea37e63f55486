"""The HTTP layer: app (assembly), routes, schemas (the wire format), mappers (domain to
wire), errors (problem+json), middleware. Nothing outside it imports from it."""
