from multiprocessing import Pool

def sq(x):
    return x * x
if __name__ == "__main__":
    with Pool(2) as pool:
        print(pool.map(sq, range(20)))
        print(pool.map(sq, range(7), chunksize=2))
