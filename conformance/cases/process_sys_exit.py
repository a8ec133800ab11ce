import multiprocessing as mp
import sys


def exit0():
    sys.exit(0)


def exit5():
    sys.exit(5)


def exit_msg():
    sys.exit("leaving")


def exit_bare():
    sys.exit()


def exit_none():
    sys.exit(None)


def boom():
    raise ValueError("x")


if __name__ == "__main__":
    for target in (exit0, exit5, exit_msg, exit_bare, exit_none, boom):
        p = mp.Process(target=target)
        p.start()
        p.join()
        print(target.__name__, p.exitcode)
    p = mp.Process(target=exit0)
    p.daemon = True
    print(p.daemon)
    p.start()
    try:
        p.daemon = False
    except AssertionError as e:
        print(f"{type(e).__name__}: {e}")
    p.join()
    print(p.exitcode, len(mp.active_children()))
