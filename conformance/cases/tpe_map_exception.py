from concurrent.futures import ThreadPoolExecutor

def f(x):
    if x == 3:
        raise ValueError(f"bad item {x}")
    return x * 10
with ThreadPoolExecutor(max_workers=2) as ex:
    try:
        for r in ex.map(f, range(6)):
            print(r)
    except Exception as e:
        print(f"{type(e).__name__}: {e}")
