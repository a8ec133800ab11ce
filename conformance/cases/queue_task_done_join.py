import queue

import threading
q = queue.Queue()
done = []
def worker():
    while True:
        item = q.get()
        if item is None:
            q.task_done()
            return
        done.append(item * 2)
        q.task_done()
t = threading.Thread(target=worker)
t.start()
for i in range(5):
    q.put(i)
q.join()
print(sorted(done))
q.put(None)
t.join()
try:
    q.task_done()
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
