"""The mpi4py.futures side of scripts/mpi_bench.sh: the rows of
executor-mpi/examples/mpi_bench.rs on MPICommExecutor, in the same mpirun
session shape (rank 0 submits, the other ranks serve). Prints one
`bench <row> <value> <unit>` line per row."""

import os
import time

from mpi4py.futures import MPICommExecutor


def tiny(x):
    return x + 1


def spin(n):
    x = 0x9E3779B97F4A7C15
    m = (1 << 64) - 1
    for i in range(n):
        x = (((x << 5) | (x >> 59)) & m) ^ ((i * 0x2545F4914F6CDD1D) & m)
    return x


def main():
    with MPICommExecutor() as ex:
        if ex is None:
            return
        only_heavy = os.environ.get("PYRT_BENCH") == "heavy"
        if not only_heavy:
            for x in range(50):
                ex.submit(tiny, x).result()
            n = 2000
            t = time.perf_counter()
            fs = [ex.submit(tiny, x) for x in range(n)]
            assert sum(f.result() for f in fs) == n * (n + 1) // 2
            print(f"bench submit_result {(time.perf_counter() - t) * 1e6 / n:.2f} us", flush=True)

            k = 500
            t = time.perf_counter()
            for x in range(k):
                ex.submit(tiny, x).result()
            print(f"bench round_trip {(time.perf_counter() - t) * 1e6 / k:.2f} us", flush=True)

            items = 1_000_000
            t = time.perf_counter()
            total = sum(ex.map(tiny, range(items), chunksize=10_000))
            assert total == items * (items + 1) // 2
            print(f"bench map_1m {(time.perf_counter() - t) * 1e6 / items:.4f} us", flush=True)

        # The same work in every run (~10 ms per item in pure Python here;
        # its own speed-up over one rank is what is compared).
        per_item = 20_000
        t = time.perf_counter()
        out = list(ex.map(spin, [per_item] * 64, chunksize=1))
        assert len(out) == 64
        print(f"bench heavy_map {(time.perf_counter() - t) * 1e3:.1f} ms", flush=True)


if __name__ == "__main__":
    main()
