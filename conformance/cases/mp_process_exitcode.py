import multiprocessing as mp

def ok():
    print("child ran")
def boom():
    raise ValueError("x")
if __name__ == "__main__":
    p = mp.Process(target=ok)
    print(p.exitcode, p.is_alive())
    try:
        p.join()
    except AssertionError as e:
        print(f"{type(e).__name__}: {e}")
    p.start()
    p.join()
    print(p.exitcode)
    try:
        p.start()
    except AssertionError as e:
        print(f"{type(e).__name__}: {e}")
    q = mp.Process(target=boom)
    q.start()
    q.join()
    print(q.exitcode, mp.current_process().name)
