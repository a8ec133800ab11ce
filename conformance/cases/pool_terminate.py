from multiprocessing import Pool


def sq(x):
    return x * x


if __name__ == "__main__":
    pool = Pool(2)
    print(pool.map(sq, range(5)))
    pool.terminate()
    try:
        pool.map(sq, [1])
    except ValueError as e:
        print(f"{type(e).__name__}: {e}")
    pool.join()
    print("joined")
