import multiprocessing as mp

def echo(conn):
    msg = conn.recv()
    conn.send(msg.upper())
if __name__ == "__main__":
    a, b = mp.Pipe()
    p = mp.Process(target=echo, args=(b,))
    p.start()
    a.send("hello")
    print(a.recv())
    p.join()
    r, w = mp.Pipe(duplex=False)
    try:
        r.send(1)
    except OSError as e:
        print(f"{type(e).__name__}: {e}")
    print(r.poll())
    w.send(7)
    print(r.poll(1), r.recv())
    w.close()
    try:
        r.recv()
    except EOFError as e:
        print(f"{type(e).__name__}: {e}")
