import threading


def hook(args):
    print("hook:", args.exc_type.__name__, args.exc_value, args.thread.name)


def bad_value():
    raise ValueError("bad value")


def missing_key():
    raise KeyError("k")


threading.excepthook = hook
for name, target in [("worker-1", bad_value), ("worker-2", missing_key)]:
    t = threading.Thread(target=target, name=name)
    t.start()
    t.join()
    print(name, "alive:", t.is_alive())
threading.excepthook = threading.__excepthook__
# SystemExit is silent, and the default hook writes only to stderr.
t = threading.Thread(target=lambda: exit(3))
t.start()
t.join()
print("done")
