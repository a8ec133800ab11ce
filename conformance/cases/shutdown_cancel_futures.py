from concurrent.futures import ThreadPoolExecutor

import threading
gate = threading.Event()
started = threading.Event()
def hold():
    started.set()
    return gate.wait()
ex = ThreadPoolExecutor(max_workers=1)
first = ex.submit(hold)
started.wait()
rest = [ex.submit(lambda: "late") for _ in range(3)]
ex.shutdown(wait=False, cancel_futures=True)
print([f.cancelled() for f in rest])
gate.set()
print(first.result())
