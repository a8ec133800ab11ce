import threading

cv = threading.Condition()
state = {"waiting": 0, "tickets": 0, "woken": 0}


def waiter():
    with cv:
        state["waiting"] += 1
        cv.notify_all()
        while state["tickets"] == 0:
            cv.wait()
        state["tickets"] -= 1
        state["woken"] += 1
        cv.notify_all()


ts = [threading.Thread(target=waiter) for _ in range(3)]
for t in ts:
    t.start()
with cv:
    cv.wait_for(lambda: state["waiting"] == 3)
    state["tickets"] = 1
    cv.notify(1)
    cv.wait_for(lambda: state["woken"] == 1)
    print(state["woken"], state["tickets"])
    state["tickets"] = 2
    cv.notify_all()
    cv.wait_for(lambda: state["woken"] == 3)
    print(state["woken"], state["tickets"])
for t in ts:
    t.join()
for call in (cv.notify, cv.notify_all):
    try:
        call()
    except RuntimeError as e:
        print(f"{type(e).__name__}: {e}")
