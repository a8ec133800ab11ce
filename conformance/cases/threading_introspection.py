import threading

print(threading.current_thread().name, threading.main_thread().name)
print(threading.current_thread() is threading.main_thread())
ready = threading.Event()
go = threading.Event()
seen = {}


def body():
    t = threading.current_thread()
    seen["name"] = t.name
    seen["same_ident"] = threading.get_ident() == t.ident
    seen["native"] = threading.get_native_id() == t.native_id
    ready.set()
    go.wait()


t = threading.Thread(target=body, name="worker", daemon=True)
print(t.daemon, t.is_alive(), t.ident is None, t.native_id is None)
t.start()
ready.wait()
print(t.is_alive(), threading.active_count(), sorted(x.name for x in threading.enumerate()))
print(seen["name"], seen["same_ident"], seen["native"], t.ident != threading.get_ident())
go.set()
t.join()
print(t.is_alive(), threading.active_count(), [x.name for x in threading.enumerate()])
