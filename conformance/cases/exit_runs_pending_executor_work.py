from concurrent.futures import ThreadPoolExecutor
import threading

executor = ThreadPoolExecutor(max_workers=1)
go = threading.Event()


def show(i):
    print("item", i)


def after_exit():
    threading.main_thread().join()
    for ex in (executor, ThreadPoolExecutor(max_workers=1)):
        try:
            ex.submit(print, "accepted")
        except RuntimeError as e:
            print(f"{type(e).__name__}: {e}")


threading.Thread(target=after_exit).start()
executor.submit(go.wait)
for i in range(3):
    executor.submit(print, "fire and forget", i)
executor.map(show, range(10))
print("main returns")
go.set()
