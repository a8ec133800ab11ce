from multiprocessing import Pool, Value

counter = None


def init(c):
    global counter
    counter = c


def f(x):
    with counter.get_lock():
        counter.value += 1
    if x in (1, 5):
        raise ValueError(f"bad {x}")
    return x


if __name__ == "__main__":
    c = Value("i", 0)
    with Pool(1, initializer=init, initargs=(c,)) as pool:
        for chunksize in (1, 4):
            c.value = 0
            try:
                pool.map(f, range(10), chunksize=chunksize)
            except ValueError as e:
                print(chunksize, f"{type(e).__name__}: {e}", c.value)
