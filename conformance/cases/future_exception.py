from concurrent.futures import ThreadPoolExecutor

def boom():
    raise KeyError("missing")
with ThreadPoolExecutor(max_workers=1) as ex:
    f = ex.submit(boom)
    e = f.exception()
    print(type(e).__name__, e)
    try:
        f.result()
    except KeyError as e:
        print(f"{type(e).__name__}: {e}")
    g = ex.submit(lambda: 1)
    print(g.exception())
