import threading

forever = threading.Event()


def blocked_forever():
    forever.wait()


def outlives_main():
    threading.main_thread().join()
    print("non-daemon thread finished after main")


d = threading.Thread(target=blocked_forever, daemon=True)
d.start()
t = threading.Thread(target=outlives_main)
t.start()
try:
    t.daemon = True
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
u = threading.Thread(target=blocked_forever)
u.daemon = True
u.start()
print(t.daemon, d.daemon, u.daemon, threading.main_thread().ident == threading.get_ident())
print("main returns")
