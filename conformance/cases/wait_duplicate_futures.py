from concurrent.futures import Future, TimeoutError, as_completed, wait

done = Future()
done.set_result(1)
pending = Future()
r = wait([done, done, pending, pending], timeout=0)
print(len(r.done), len(r.not_done))
got = []
try:
    for f in as_completed([done, pending, done, pending], timeout=0):
        got.append(f.result())
except TimeoutError as e:
    print(got, f"{type(e).__name__}: {e}")
