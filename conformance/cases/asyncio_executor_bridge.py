import asyncio

from concurrent.futures import ThreadPoolExecutor
def work(x):
    return x * 3
async def main():
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=2) as ex:
        a = await loop.run_in_executor(ex, work, 4)
        b = await loop.run_in_executor(None, work, 5)
    c = await asyncio.to_thread(work, 6)
    fut = ThreadPoolExecutor(max_workers=1).submit(work, 7)
    d = await asyncio.wrap_future(fut)
    print(a, b, c, d)
asyncio.run(main())
