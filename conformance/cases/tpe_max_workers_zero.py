from concurrent.futures import ThreadPoolExecutor

try:
    ThreadPoolExecutor(max_workers=0)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
