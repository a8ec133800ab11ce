import logging
from concurrent.futures import Future


class Show(logging.Handler):
    def emit(self, record):
        e = record.exc_info[1]
        prefix = record.getMessage().startswith("exception calling callback for <Future")
        print(record.name, record.levelname, prefix, f"{type(e).__name__}: {e}")


logging.getLogger("concurrent.futures").addHandler(Show())

ran = []


def bad(f):
    raise ValueError(f"callback failed for {f.result()}")


f = Future()
f.add_done_callback(lambda f: ran.append("first"))
f.add_done_callback(bad)
f.add_done_callback(lambda f: ran.append("last"))
f.set_result(42)
print(ran, f.result())
# Attached to a finished future: runs (and raises) at once.
f.add_done_callback(bad)
print("still here")
