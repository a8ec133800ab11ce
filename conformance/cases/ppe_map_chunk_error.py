from concurrent.futures import ProcessPoolExecutor


def f(x):
    if x == 5:
        raise ValueError(f"bad {x}")
    return x


if __name__ == "__main__":
    with ProcessPoolExecutor(2) as ex:
        got = []
        try:
            for v in ex.map(f, range(10), chunksize=3):
                got.append(v)
        except ValueError as e:
            print(got, f"{type(e).__name__}: {e}")
