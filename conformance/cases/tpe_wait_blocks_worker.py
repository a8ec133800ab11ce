import threading
from concurrent.futures import ThreadPoolExecutor

# A call waiting on an Event holds its worker: with one worker the call
# queued behind it does not start until the Event is set from outside.
ex = ThreadPoolExecutor(max_workers=1)
ev = threading.Event()
started = threading.Event()

def first():
    started.set()
    return ev.wait()

a = ex.submit(first)
b = ex.submit(lambda: "second ran")
started.wait()
print("second started while first waits:", b.running() or b.done())
print("cancel second:", b.cancel())
c = ex.submit(lambda: threading.current_thread().name)
ev.set()
print(a.result(), b.cancelled(), c.result())
ex.shutdown()
