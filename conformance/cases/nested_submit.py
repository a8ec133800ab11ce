from concurrent.futures import ThreadPoolExecutor

ex = ThreadPoolExecutor(max_workers=2)
def outer(n):
    inner = ex.submit(lambda: n + 1)
    return inner.result() * 2
print(ex.submit(outer, 20).result())
ex.shutdown()
