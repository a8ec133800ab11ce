import threading

N = 4
e = threading.Event()
results = []
lock = threading.Lock()


def waiter():
    r = e.wait()
    with lock:
        results.append(r)


threads = [threading.Thread(target=waiter) for _ in range(N)]
for t in threads:
    t.start()
while len(e._cond._waiters) < N:
    pass
e.set()
e.clear()
for t in threads:
    t.join()
print(results, e.is_set())
