import threading

lock = threading.Lock()
try:
    lock.release()
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
print(lock.acquire(), lock.acquire(False), lock.acquire(timeout=0.01), lock.locked())
try:
    lock.acquire(False, 1)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
try:
    lock.acquire(True, -5)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
lock.release()
print(lock.locked())
