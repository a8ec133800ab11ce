from concurrent.futures import ThreadPoolExecutor

import threading
from concurrent.futures import wait, FIRST_EXCEPTION, ALL_COMPLETED
gate = threading.Event()
def fail():
    raise RuntimeError("early")
with ThreadPoolExecutor(max_workers=3) as ex:
    fs = [ex.submit(lambda: 1), ex.submit(lambda: 2)]
    done, not_done = wait(fs, return_when=ALL_COMPLETED)
    print(len(done), len(not_done))
    slow = ex.submit(gate.wait)
    bad = ex.submit(fail)
    done, not_done = wait([slow, bad], return_when=FIRST_EXCEPTION)
    print(len(done), len(not_done), bad in done)
    gate.set()
