"""``offri serve --endpoint URL``: the same site and endpoint in front of a remote SPARQL store.

The remote store runs the queries (its own limits apply, and ours: the HTTP timeout is the time
limit); answers come back parsed by pyoxigraph and are written in the format the client asked
for, so pages, the endpoint and the row cap behave as on the embedded store. Clients' queries
are read by the grammar here first, as the workers read them for the embedded store (no FROM
at all: offri cannot know the remote store's graphs). Nothing is cached: offri cannot know when
someone else writes to that store.
"""

from __future__ import annotations

from offri_kg.errors import OffriError
from offri_kg.query.guard import check_endpoint_query
from offri_kg.query.worker import Answer, Job, answer_from
from offri_kg.store.remote import RemoteStore


class RemoteRunner:
    """Runs jobs on a remote endpoint; same ``arun_many``/``close`` as ``QueryPool``."""

    def __init__(self, endpoint: str, time_limit: float = 10.0) -> None:
        self.time_limit = time_limit
        self.store = RemoteStore(endpoint, timeout=time_limit)

    def run(self, job: Job, time_limit: float | None = None) -> Answer:
        if job.guard == "endpoint":
            check_endpoint_query(job.sparql, set(), job.base_iri, job.max_depth, job.max_operators)
        if job.default_graph is not None or job.named_graphs is not None:
            raise OffriError("remote-dataset")
        result = self.store.query(job.sparql, timeout=time_limit or self.time_limit)
        return answer_from(result.raw(), job)

    def run_many(self, jobs: list[Job], time_limit: float | None = None) -> list[Answer]:
        return [self.run(job, time_limit) for job in jobs]

    async def arun_many(self, jobs: list[Job], client: str = "", time_limit: float | None = None,
                        request: object = None) -> list[Answer]:
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(self.run_many, jobs, time_limit)

    def close(self) -> None:
        self.store.close()
