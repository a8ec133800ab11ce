import threading

e = threading.Event()
print(e.is_set(), e.wait(0.01))
t = threading.Thread(target=e.set)
t.start()
print(e.wait())
t.join()
e.clear()
print(e.is_set(), e.wait(-1))
