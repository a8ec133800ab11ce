from concurrent.futures import ThreadPoolExecutor

def init():
    raise ValueError("no")
ex = ThreadPoolExecutor(max_workers=1, initializer=init)
f = ex.submit(lambda: 1)
try:
    f.result()
except Exception as e:
    print(f"{type(e).__name__}: {e}")
try:
    ex.submit(lambda: 2)
except Exception as e:
    print(f"{type(e).__name__}: {e}")
