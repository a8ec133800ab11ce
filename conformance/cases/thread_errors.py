import threading

t = threading.Thread(target=lambda: None, name="t1")
try:
    t.join()
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
t.start()
try:
    t.start()
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
t.join()
print(t.name, t.is_alive(), t.ident is not None)
try:
    threading.current_thread().join()
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
print(threading.current_thread().name, threading.main_thread().name)
