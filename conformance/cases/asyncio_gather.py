import asyncio

def work(x):
    if x == 2:
        raise ValueError("two")
    return x * 10
async def main():
    results = await asyncio.gather(*(asyncio.to_thread(work, i) for i in range(4)), return_exceptions=True)
    print([r if not isinstance(r, Exception) else f"{type(r).__name__}: {r}" for r in results])
asyncio.run(main())
