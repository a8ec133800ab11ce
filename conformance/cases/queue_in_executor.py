import queue

from concurrent.futures import ThreadPoolExecutor
q = queue.Queue(maxsize=2)
with ThreadPoolExecutor(max_workers=4) as ex:
    consumers = [ex.submit(q.get) for _ in range(2)]
    producers = [ex.submit(q.put, i) for i in (10, 20)]
    print(sorted(f.result() for f in consumers))
