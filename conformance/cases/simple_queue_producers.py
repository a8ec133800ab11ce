import queue

import threading
q = queue.SimpleQueue()
def produce(base):
    for i in range(100):
        q.put(base + i)
ts = [threading.Thread(target=produce, args=(b * 100,)) for b in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
total = 0
while not q.empty():
    total += q.get()
print(total, q.qsize())
