"""The latest-wins runner and the hand-off to the kernel's thread."""

import threading
import time

from stpexplorer.dashboard.threads import LatestRunner, on_kernel_thread


def slow_runner() -> tuple[LatestRunner, list, threading.Event]:
    """A runner whose jobs take 0.2 s: (runner, outcomes handed over, set when a job starts)."""
    done, started = [], threading.Event()

    def work(job):
        started.set()
        time.sleep(0.2)
        return job

    return LatestRunner(work, lambda job, out, err: done.append(out)), done, started


def test_latest_request_wins_and_stale_runs_are_dropped():
    runner, done, started = slow_runner()
    runner.submit(1)
    started.wait(5)
    for job in (2, 3, 4):
        runner.submit(job)  # 1 is running: 2 and 3 are replaced by 4, 1 becomes stale
    assert runner.wait_idle(10)
    runner.stop()
    assert done == [4] and runner.dropped == 1


def test_a_failing_done_callback_does_not_stop_the_runner(capsys):
    done = []

    def report(job, out, err):
        if job == 1:
            raise RuntimeError("drawing failed")
        done.append(out)

    runner = LatestRunner(lambda job: job, report)
    runner.submit(1)
    assert runner.wait_idle(10)
    runner.submit(2)
    assert runner.wait_idle(10)
    runner.stop()
    assert done == [2]
    assert "drawing failed" in capsys.readouterr().err


def test_outside_a_kernel_the_hand_off_runs_at_once_on_the_calling_thread():
    seen = []
    on_kernel_thread(lambda *args: seen.append((threading.current_thread(), args)), 1, 2)
    assert seen == [(threading.current_thread(), (1, 2))]


def test_interim_jobs_are_handed_over_even_when_a_newer_one_was_submitted():
    runner, done, started = slow_runner()
    runner.submit(1, interim=True)
    started.wait(5)
    runner.submit(2, interim=True)  # replaced by 3 before it starts
    runner.submit(3)
    assert runner.wait_idle(10)
    runner.stop()
    assert done == [1, 3] and runner.dropped == 0


def test_a_frame_never_displaces_a_final_run():
    runner, done, started = slow_runner()
    runner.submit("final 1")
    started.wait(5)
    runner.submit("frame", interim=True)  # while a final run runs: that run stays current
    assert runner.wait_idle(10)
    started.clear()
    runner.submit("frame 2", interim=True)
    started.wait(5)
    runner.submit("final 2")
    runner.submit("late frame", interim=True)  # a final run waits: this frame is dropped
    assert runner.wait_idle(10)
    runner.stop()
    assert done == ["final 1", "frame", "frame 2", "final 2"]
