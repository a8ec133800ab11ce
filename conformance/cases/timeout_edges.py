import queue
import threading

print(threading.TIMEOUT_MAX)
for lock in (threading.Lock(), threading.RLock()):
    try:
        lock.acquire(timeout=1e100)
    except OverflowError as e:
        print(f"{type(e).__name__}: {e}")
s = threading.Semaphore(1)
print(s.acquire(timeout=1e100))
try:
    s.acquire(timeout=1e100)
except OverflowError as e:
    print(f"{type(e).__name__}: {e}")
q = queue.Queue(1)
try:
    q.get(block=False, timeout=-1)
except queue.Empty as e:
    print(type(e).__name__)
q.put(1)
try:
    q.put(2, block=False, timeout=-1)
except queue.Full as e:
    print(type(e).__name__)
cv = threading.Condition()
items = []


def produce():
    with cv:
        items.append(5)
        cv.notify()


t = threading.Thread(target=produce)
with cv:
    t.start()
    print(cv.wait_for(lambda: list(items)))
    print(cv.wait_for(lambda: 0, timeout=0))
    try:
        cv.wait(1e100)
    except OverflowError as e:
        print(f"{type(e).__name__}: {e}")
t.join()
