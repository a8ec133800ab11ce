from concurrent.futures import CancelledError, Future, InvalidStateError

f = Future()
print(f.done(), f.running(), f.cancelled())
print(f.set_running_or_notify_cancel(), f.running())
f.set_result(41)
print(f.done(), f.result())
try:
    f.set_result(42)
except InvalidStateError as e:
    print(type(e).__name__, str(e).split(" <")[0])
g = Future()
g.set_exception(ValueError("bad"))
print(type(g.exception()).__name__, g.exception())
try:
    g.result()
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
h = Future()
print(h.cancel(), h.cancelled(), h.set_running_or_notify_cancel())
try:
    h.result()
except CancelledError as e:
    print(type(e).__name__)
