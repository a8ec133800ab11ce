import threading

b = threading.Barrier(2)
out = []


def party():
    try:
        b.wait()
    except threading.BrokenBarrierError as e:
        out.append(type(e).__name__)


t = threading.Thread(target=party)
t.start()
b.abort()
t.join()
print(out, b.broken)
try:
    b.wait()
except threading.BrokenBarrierError as e:
    print(type(e).__name__, repr(str(e)))
b.reset()
print(b.broken, b.n_waiting)
idx = []
t2 = threading.Thread(target=lambda: idx.append(b.wait()))
t2.start()
idx.append(b.wait())
t2.join()
print(sorted(idx))
