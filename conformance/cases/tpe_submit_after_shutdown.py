from concurrent.futures import ThreadPoolExecutor

ex = ThreadPoolExecutor(max_workers=1)
ex.shutdown()
try:
    ex.submit(print, "never")
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
