import queue

q, l, p = queue.Queue(), queue.LifoQueue(), queue.PriorityQueue()
for x in [3, 1, 2]:
    q.put(x)
    l.put(x)
    p.put(x)
print([q.get() for _ in range(3)], [l.get() for _ in range(3)], [p.get() for _ in range(3)])
p.put((1, "b"))
p.put((0, "z"))
p.put((1, "a"))
print([p.get() for _ in range(3)])
