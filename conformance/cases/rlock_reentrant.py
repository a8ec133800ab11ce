import threading

r = threading.RLock()
print(r.acquire(), r.acquire())
r.release()
r.release()
try:
    r.release()
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
r.acquire()
result = []
t = threading.Thread(target=lambda: result.append(r.acquire(blocking=False)))
t.start()
t.join()
print(result)
r.release()
