import multiprocessing
import queue
import threading
import time
from concurrent.futures import (BrokenExecutor, CancelledError, InvalidStateError,
                                ThreadPoolExecutor)
from concurrent.futures.process import BrokenProcessPool
from concurrent.futures.thread import BrokenThreadPool


class MyErr(ValueError):
    pass


class Sub(MyErr):
    pass


CLASSES = [
    ("BrokenThreadPool", BrokenThreadPool),
    ("BrokenProcessPool", BrokenProcessPool),
    ("BrokenBarrierError", threading.BrokenBarrierError),
    ("TimeoutError", TimeoutError),
    ("mp.TimeoutError", multiprocessing.TimeoutError),
    ("CancelledError", CancelledError),
    ("InvalidStateError", InvalidStateError),
    ("queue.Empty", queue.Empty),
    ("BrokenPipeError", BrokenPipeError),
    ("RecursionError", RecursionError),
    ("NotImplementedError", NotImplementedError),
    ("OverflowError", OverflowError),
    ("KeyError", KeyError),
    ("SystemExit", SystemExit),
    ("KeyboardInterrupt", KeyboardInterrupt),
    ("Sub", Sub),
]
BASES = [
    ("BaseException", BaseException),
    ("Exception", Exception),
    ("RuntimeError", RuntimeError),
    ("BrokenExecutor", BrokenExecutor),
    ("OSError", OSError),
    ("ConnectionError", ConnectionError),
    ("mp.ProcessError", multiprocessing.ProcessError),
    ("ArithmeticError", ArithmeticError),
    ("LookupError", LookupError),
    ("ValueError", ValueError),
    ("MyErr", MyErr),
]


def caught_by(e):
    """The first of these except clauses that catches e, in order."""
    try:
        raise e
    except OSError:
        return "OSError"
    except (LookupError, ArithmeticError):
        return "(LookupError, ArithmeticError)"
    except RuntimeError:
        return "RuntimeError"
    except MyErr:
        return "MyErr"
    except Exception:
        return "Exception"
    except BaseException:
        return "BaseException"


def raise_it(e):
    raise e


if __name__ == "__main__":
    for name, cls in CLASSES:
        subs = [b for b, base in BASES if issubclass(cls, base)]
        print(f"{name}: {' '.join(subs)}")

    raised = [Sub("deep"), MyErr("mine"), KeyError("k"), ZeroDivisionError("division by zero"),
              BrokenPipeError("pipe"), SystemExit(3), SystemExit(), KeyboardInterrupt(),
              NotImplementedError("later")]
    with ThreadPoolExecutor(max_workers=2) as ex:
        futures = [ex.submit(raise_it, e) for e in raised]
        for f in futures:
            try:
                f.result()
            except BaseException as e:
                print(f"{type(e).__name__}: {e!s} | caught by {caught_by(e)} | "
                      f"Exception={isinstance(e, Exception)}")

    def init():
        raise ValueError("no")
    broken = ThreadPoolExecutor(max_workers=1, initializer=init)
    try:
        broken.submit(int).result()
    except RuntimeError as e:
        print(f"except RuntimeError: {type(e).__name__} BrokenExecutor={isinstance(e, BrokenExecutor)}")

    pool = multiprocessing.Pool(1)
    r = pool.apply_async(time.sleep, (5,))
    try:
        r.get(timeout=0.01)
    except OSError:
        print("multiprocessing timeout caught as OSError")
    except multiprocessing.ProcessError as e:
        print(f"except ProcessError: {type(e).__name__} builtin={type(e) is TimeoutError}")
    pool.terminate()
    pool.join()
