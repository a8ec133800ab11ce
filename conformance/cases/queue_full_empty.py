import queue

q = queue.Queue(maxsize=1)
q.put_nowait("a")
print(q.full(), q.qsize(), q.empty())
try:
    q.put_nowait("b")
except queue.Full as e:
    print(f"{type(e).__name__}: {e}")
try:
    q.put("b", timeout=0.01)
except queue.Full as e:
    print(f"{type(e).__name__}: {e}")
print(q.get_nowait())
try:
    q.get_nowait()
except queue.Empty as e:
    print(f"{type(e).__name__}: {e}")
try:
    q.get(timeout=-1)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
