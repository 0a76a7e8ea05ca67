"""The HTTP boundary shared by the API functions: request/response shapes, identity from the
JWT claims, and the one place where domain errors become HTTP responses."""
