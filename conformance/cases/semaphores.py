import threading

try:
    threading.Semaphore(-1)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
s = threading.Semaphore(2)
print(s.acquire(), s.acquire(), s.acquire(blocking=False), s.acquire(timeout=0.01))
s.release(2)
print(s.acquire(blocking=False))
bs = threading.BoundedSemaphore(1)
bs.acquire()
bs.release()
try:
    bs.release()
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
