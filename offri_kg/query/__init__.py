"""Query: stored queries (queries/*.rq) with typed parameters, bound safely."""
