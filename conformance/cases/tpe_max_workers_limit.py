import threading
import time
from concurrent.futures import ThreadPoolExecutor

gate = threading.Event()
lock = threading.Lock()
now = 0
peak = 0

def task(i):
    global now, peak
    with lock:
        now += 1
        peak = max(peak, now)
    gate.wait()
    with lock:
        now -= 1
    return i

ex = ThreadPoolExecutor(max_workers=2)
fs = [ex.submit(task, i) for i in range(6)]
while True:
    with lock:
        if now == 2:
            break
    time.sleep(0.001)
print("running", sum(f.running() for f in fs))
print("cancel last", fs[5].cancel())
gate.set()
print([f.result() for f in fs[:5]])
print("peak", peak)
ex.shutdown()

# Workers start one per submit while none is idle: one at a time, one worker.
ex2 = ThreadPoolExecutor(max_workers=4)
print("names", [ex2.submit(lambda: threading.current_thread().name).result() for _ in range(3)])
ex2.shutdown()
