from concurrent.futures import ThreadPoolExecutor

import threading
from concurrent.futures import TimeoutError
gate = threading.Event()
with ThreadPoolExecutor(max_workers=1) as ex:
    f = ex.submit(gate.wait)
    try:
        f.result(timeout=0.01)
    except TimeoutError as e:
        print(type(e).__name__, repr(str(e)))
    gate.set()
    print(f.result())
