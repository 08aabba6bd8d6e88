"""The latest-wins runner and the hand-off to the kernel's thread."""

import threading
import time

from stpexplorer.dashboard.threads import LatestRunner, on_kernel_thread


def test_latest_request_wins_and_stale_runs_are_dropped():
    done, started = [], threading.Event()

    def work(job):
        started.set()
        time.sleep(0.2)
        return job

    runner = LatestRunner(work, lambda job, out, err: done.append(out))
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
