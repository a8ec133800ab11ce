import threading

fired = []
t1 = threading.Timer(0.0, lambda: fired.append("t1"))
t2 = threading.Timer(60.0, lambda: fired.append("t2"))
t1.start()
t2.start()
t2.cancel()
t1.join()
t2.join()
print(fired)
data = threading.local()
data.x = "main"
seen = []
def other():
    seen.append(hasattr(data, "x"))
    data.x = "other"
    seen.append(data.x)
t = threading.Thread(target=other)
t.start()
t.join()
print(seen, data.x)
