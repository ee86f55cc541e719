"""Chunks done a batch at a time (`work_chunks(..., batch=N, handle_many=...)`): N chunks claimed at once,
done and marked in one transaction; a batch that fails leaves all of its chunks to do, none half done."""

import pytest

from facturier.jobs.models import JobChunk, JobRun
from facturier.jobs.runs import plan_chunks, work_chunks

pytestmark = pytest.mark.django_db


def _run(count):
    run = JobRun.objects.create(key="batches:1", task="tests.jobs.sample_tasks.noop")
    plan_chunks(run, [f"k{index}" for index in range(count)])
    return run


def test_chunks_are_claimed_and_done_a_batch_at_a_time_in_key_order():
    # given a run of 7 chunks
    run = _run(7)
    batches = []
    # when a worker does them in batches of 3
    count = work_chunks(run.pk, lambda key: 1, batch=3, handle_many=lambda keys: batches.append(keys))
    # then three transactions did them all, in key order, each chunk once, and the progress counts chunks
    assert count == 7
    assert batches == [["k0", "k1", "k2"], ["k3", "k4", "k5"], ["k6"]]
    run.refresh_from_db()
    assert (run.done, run.total) == (7, 7)
    assert not JobChunk.objects.filter(run=run, done_at__isnull=True).exists()


def test_a_failing_batch_leaves_all_of_its_chunks_to_do_and_the_batches_before_it_done():
    # given a run of 5 chunks and a handler that fails on its second batch
    run = _run(5)
    done = []

    def handle_many(keys):
        if "k3" in keys:
            JobRun.objects.filter(pk=run.pk).update(error="half done")  # written, then rolled back
            raise RuntimeError("worker lost")
        done.extend(keys)
        return len(keys)

    # when a worker does them in batches of 3
    with pytest.raises(RuntimeError):
        work_chunks(run.pk, lambda key: 1, batch=3, handle_many=handle_many)
    # then the first batch is done and marked, the second is neither (its marks rolled back with it)
    run.refresh_from_db()
    assert (run.done, run.error) == (3, "")
    pending = JobChunk.objects.filter(run=run, done_at__isnull=True).order_by("key")
    assert list(pending.values_list("key", flat=True)) == ["k3", "k4"]
    # and the next worker does exactly what is left
    assert work_chunks(run.pk, lambda key: 1, batch=3, handle_many=lambda keys: done.extend(keys)) == 2
    assert done == ["k0", "k1", "k2", "k3", "k4"]


def test_without_handle_many_each_chunk_of_a_batch_is_handled_alone():
    run = _run(4)
    seen = []
    assert work_chunks(run.pk, lambda key: seen.append(key) or 2, batch=3) == 4
    run.refresh_from_db()
    assert seen == ["k0", "k1", "k2", "k3"]
    assert run.done == 8  # the units of progress the handler returned
