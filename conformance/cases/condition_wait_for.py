import threading

cond = threading.Condition()
items = []
def consumer(out):
    with cond:
        cond.wait_for(lambda: len(items) > 0)
        out.append(items.pop())
results = []
ts = [threading.Thread(target=consumer, args=(results,)) for _ in range(3)]
for t in ts:
    t.start()
for i in range(3):
    with cond:
        items.append(i)
        cond.notify()
for t in ts:
    t.join()
print(sorted(results))
c2 = threading.Condition(threading.Lock())
try:
    c2.wait(0)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
try:
    c2.notify()
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
with c2:
    print(c2.wait(0.01))
