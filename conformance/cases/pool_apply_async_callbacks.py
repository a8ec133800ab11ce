from multiprocessing import Pool

def sq(x):
    return x * x
def bad(x):
    raise ValueError(f"bad {x}")
if __name__ == "__main__":
    got = []
    errors = []
    with Pool(2) as pool:
        r = pool.apply_async(sq, (5,), callback=got.append)
        print(r.get(timeout=5), r.ready(), r.successful())
        r2 = pool.apply_async(bad, (1,), error_callback=lambda e: errors.append(str(e)))
        try:
            r2.get()
        except ValueError as e:
            print(f"{type(e).__name__}: {e}")
        print(r2.successful())
    print(got, errors)
