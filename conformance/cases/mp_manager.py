import multiprocessing as mp

def fill(d, l, i):
    d[f"k{i}"] = i
    l.append(i)
if __name__ == "__main__":
    with mp.Manager() as m:
        d = m.dict()
        l = m.list()
        ps = [mp.Process(target=fill, args=(d, l, i)) for i in range(3)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        print(sorted(d.items()), sorted(l))
        try:
            d["zz"]
        except KeyError as e:
            print(f"{type(e).__name__}: {e}")
        ns = m.Namespace()
        ns.x = 5
        print(ns.x)
        try:
            ns.y
        except AttributeError as e:
            print(f"{type(e).__name__}: {e}")
