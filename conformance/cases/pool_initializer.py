from multiprocessing import Pool
import os
def init():
    global factor
    factor = 3
def scale(x):
    return x * factor
if __name__ == "__main__":
    with Pool(processes=2, initializer=init) as pool:
        print(pool.map(scale, range(5)))
