from concurrent.futures import ThreadPoolExecutor

from concurrent.futures import as_completed
with ThreadPoolExecutor(max_workers=3) as ex:
    fs = [ex.submit(pow, 2, i) for i in range(8)]
    print(sorted(f.result() for f in as_completed(fs)))
