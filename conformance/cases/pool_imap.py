from multiprocessing import Pool

def sq(x):
    return x * x
if __name__ == "__main__":
    with Pool(2) as pool:
        print(list(pool.imap(sq, range(6))))
        print(sorted(pool.imap_unordered(sq, range(6))))
