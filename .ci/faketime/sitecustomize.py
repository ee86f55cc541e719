"""Loaded by every Python process of the shifted-clock test run (PYTHONPATH=.ci/faketime in .ci/run).

The run moves the wall clock with libfaketime but keeps the monotonic clock real
(FAKETIME_DONT_FAKE_MONOTONIC=1): faking it too makes every timed lock wait (queue.get, Event.wait,
thread joins) wait for the fake deadline, so xdist and the test servers hang. With the real monotonic
clock, libfaketime 0.9.10 rejects the absolute monotonic deadline Python 3.11's time.sleep gives
clock_nanosleep (OSError EINVAL), so time.sleep waits on an event instead: same duration, real clock.
"""

import os
import threading
import time

if "faketime" in os.environ.get("LD_PRELOAD", ""):

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        threading.Event().wait(seconds)

    time.sleep = _sleep
