from multiprocessing import Pool

def f(x):
    if x == 4:
        raise ZeroDivisionError("division by zero")
    return x
if __name__ == "__main__":
    with Pool(2) as pool:
        r = pool.map_async(f, range(3))
        print(r.get())
        r = pool.map_async(f, range(6))
        try:
            r.get()
        except ZeroDivisionError as e:
            print(f"{type(e).__name__}: {e}")
