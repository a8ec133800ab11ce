import multiprocessing as mp

def add(v, n):
    for _ in range(n):
        with v.get_lock():
            v.value += 1
if __name__ == "__main__":
    v = mp.Value("i", 0)
    ps = [mp.Process(target=add, args=(v, 500)) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print(v.value)
    a = mp.Array("i", [1, 2, 3])
    a[-1] = 30
    print(a[:], len(a), a[0])
    try:
        a[5]
    except IndexError as e:
        print(f"{type(e).__name__}: {e}")
