from concurrent.futures import ThreadPoolExecutor

import threading
gate = threading.Event()
with ThreadPoolExecutor(max_workers=1) as ex:
    running = ex.submit(gate.wait)
    queued = ex.submit(lambda: "queued")
    print(queued.cancel(), queued.cancelled(), queued.done())
    try:
        queued.result()
    except Exception as e:
        print(type(e).__name__)
    gate.set()
    print(running.result(), running.cancel())
