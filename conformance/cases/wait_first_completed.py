import threading
from concurrent.futures import ThreadPoolExecutor, wait, FIRST_COMPLETED

release = threading.Event()
with ThreadPoolExecutor(max_workers=2) as ex:
    slow = ex.submit(release.wait)
    fast = ex.submit(lambda: "fast")
    done, not_done = wait([slow, fast], return_when=FIRST_COMPLETED)
    print(fast in done, slow in not_done, len(done), len(not_done))
    print(fast.done(), slow.done(), fast.result())
    release.set()
    done, not_done = wait([slow, fast])
    print(len(done), len(not_done), slow.result())
