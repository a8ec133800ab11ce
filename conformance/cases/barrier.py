import threading

actions = []
b = threading.Barrier(3, action=lambda: actions.append("go"))
idx = []
lock = threading.Lock()
def party():
    i = b.wait()
    with lock:
        idx.append(i)
ts = [threading.Thread(target=party) for _ in range(3)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(sorted(idx), actions, b.n_waiting, b.broken)
try:
    b.wait(timeout=0.01)
except threading.BrokenBarrierError as e:
    print(type(e).__name__, b.broken)
b.reset()
print(b.broken, b.parties)
