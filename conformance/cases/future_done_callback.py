from concurrent.futures import ThreadPoolExecutor

import threading
seen = []
lock = threading.Lock()
def cb(f):
    with lock:
        seen.append(f.result())
with ThreadPoolExecutor(max_workers=2) as ex:
    fs = [ex.submit(lambda i=i: i * 2) for i in range(5)]
    for f in fs:
        f.add_done_callback(cb)
print(sorted(seen))
done = fs[0]
late = []
done.add_done_callback(lambda f: late.append("ran at once"))
print(late)
