import multiprocessing as mp


def produce(q, n):
    for i in range(n):
        q.put(i)
    q.put(None)


def work(jq, out):
    while True:
        item = jq.get()
        if item is None:
            jq.task_done()
            break
        out.put(item * 10)
        jq.task_done()


if __name__ == "__main__":
    print(mp.cpu_count() >= 1, mp.current_process().name)
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q, 3))
    p.start()
    got = []
    while (x := q.get()) is not None:
        got.append(x)
    p.join()
    print(got, p.exitcode)
    jq = mp.JoinableQueue()
    out = mp.Queue()
    w = mp.Process(target=work, args=(jq, out))
    w.start()
    for i in range(3):
        jq.put(i)
    jq.put(None)
    jq.join()
    print(sorted(out.get() for _ in range(3)))
    w.join()
    print(w.exitcode, jq.empty())
