from concurrent.futures import ThreadPoolExecutor

ex = ThreadPoolExecutor(max_workers=2)
f = ex.submit(lambda: 6 * 7)
print(f.result())
print(f.done(), f.cancelled(), f.running())
print(f.result(timeout=1))
ex.shutdown(wait=True)
