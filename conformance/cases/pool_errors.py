from multiprocessing import Pool

if __name__ == "__main__":
    try:
        Pool(0)
    except ValueError as e:
        print(f"{type(e).__name__}: {e}")
    pool = Pool(1)
    pool.close()
    try:
        pool.map(abs, [1])
    except ValueError as e:
        print(f"{type(e).__name__}: {e}")
    pool.join()
    print("joined")
