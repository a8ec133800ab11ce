//! Channels: MPMC delivery, timeouts, disconnection, select, and receiving
//! inside the pool without starving it.

use std::time::Duration;

use pyrt_executor::channels::{channel, select, stream};
use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
use pyrt_executor::PyResult;

#[test]
fn every_message_is_received_exactly_once() {
    let (tx, rx) = channel::<u64>(Some(16));
    let sum: u64 = std::thread::scope(|s| {
        for p in 0..4u64 {
            let tx = tx.clone();
            s.spawn(move || {
                for i in 0..10_000 {
                    tx.send(p * 10_000 + i).unwrap();
                }
            });
        }
        drop(tx);
        let consumers: Vec<_> = (0..3)
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || rx.iter().sum::<u64>())
            })
            .collect();
        consumers.into_iter().map(|c| c.join().unwrap()).sum()
    });
    assert_eq!(sum, (0..40_000u64).sum::<u64>());
}

#[test]
fn timeouts_full_empty_and_disconnection() {
    let (tx, rx) = channel::<u8>(Some(1));
    assert_eq!(rx.try_recv().unwrap_err().name(), "Empty");
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(10))
            .unwrap_err()
            .name(),
        "Empty"
    );
    tx.send(1).unwrap();
    assert_eq!(tx.try_send(2).unwrap_err().name(), "Full");
    assert_eq!(
        tx.send_timeout(2, Duration::from_millis(10))
            .unwrap_err()
            .name(),
        "Full"
    );
    drop(tx);
    // Messages sent before the disconnection are still delivered.
    assert_eq!(rx.recv(), Ok(1));
    assert_eq!(
        rx.recv().unwrap_err().to_string(),
        "EOFError: channel closed"
    );
    let (tx, rx) = channel::<u8>(None);
    drop(rx);
    assert_eq!(
        tx.send(1).unwrap_err().to_string(),
        "BrokenPipeError: channel closed"
    );
}

#[test]
fn a_blocked_receiver_wakes_when_the_last_sender_drops() {
    let (tx, rx) = channel::<u8>(None);
    let waiter = std::thread::spawn(move || rx.recv());
    let tx2 = tx.clone();
    drop(tx);
    drop(tx2);
    assert_eq!(waiter.join().unwrap().unwrap_err().name(), "EOFError");
}

#[test]
fn select_takes_whichever_is_ready_and_times_out() {
    let (tx1, rx1) = channel::<u32>(None);
    let (tx2, rx2) = channel::<u32>(None);
    let sender = std::thread::spawn(move || tx2.send(7).unwrap());
    let (i, v) = select(&[&rx1, &rx2], None).unwrap();
    assert_eq!((i, v.unwrap()), (1, 7));
    sender.join().unwrap();
    let e = select(&[&rx1], Some(Duration::from_millis(10))).unwrap_err();
    assert_eq!(e.name(), "TimeoutError");
    drop(tx1);
}

/// A consumer task and the producer queued after it; returns the sum the
/// consumer received.
fn consumer_then_producer(ex: &ThreadPoolExecutor) -> PyResult<u32> {
    let (tx, rx) = channel::<u32>(None);
    let (stx, srx) = stream::<u32>(None);
    let consumer: Future<u32> = ex.submit(move || -> PyResult<u32> {
        let a = rx.recv()?;
        let rest: PyResult<Vec<u32>> = srx.collect();
        Ok(a + rest?.iter().sum::<u32>())
    })?;
    let producer: Future<()> = ex.submit(move || -> PyResult<()> {
        tx.send(100)?;
        for i in 1..=3 {
            stx.send(i)?;
        }
        stx.end()
    })?;
    let sum = consumer.result(None)?;
    producer.result(None)?;
    Ok(sum)
}

#[test]
fn a_receiver_holds_its_worker_and_the_feeder_runs_on_another() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(2))?;
    assert_eq!(consumer_then_producer(&ex)?, 106);
    Ok(())
}

#[test]
fn with_one_worker_a_starvation_rescue_runs_the_feeder() -> PyResult<()> {
    // CPython deadlocks here (one thread, blocked in the consumer); the
    // opt-in rescue starts an extra worker for the producer.
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(1))
        .starvation_rescue(std::time::Duration::from_millis(20))
        .build()?;
    assert_eq!(consumer_then_producer(&ex)?, 106);
    Ok(())
}

#[test]
fn a_stream_whose_producer_vanishes_reports_eof() {
    let (tx, rx) = stream::<u8>(None);
    tx.send(1).unwrap();
    drop(tx);
    let items: Vec<_> = rx.collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0], Ok(1));
    assert_eq!(
        items[1].as_ref().unwrap_err().to_string(),
        "EOFError: stream ended without end-of-stream"
    );
}

#[test]
fn a_sender_blocked_on_a_full_channel_wakes_when_the_last_receiver_drops() {
    let (tx, rx) = channel::<u8>(Some(1));
    tx.send(1).unwrap();
    let (blocked_tx, blocked_rx) = std::sync::mpsc::channel();
    let sender = std::thread::spawn(move || {
        blocked_tx.send(()).unwrap();
        tx.send(2)
    });
    blocked_rx.recv().unwrap();
    drop(rx);
    // Whether the sender was already waiting or not, it sees the closure.
    assert_eq!(
        sender.join().unwrap().unwrap_err().to_string(),
        "BrokenPipeError: channel closed"
    );
}

#[test]
fn a_full_send_on_a_worker_holds_it_and_the_next_call_waits_its_turn() -> PyResult<()> {
    // One worker: the producer blocks on the full channel; the consumer
    // queued behind it does not start (CPython's one thread is busy) until
    // the main thread drains the channel and the producer returns.
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let (tx, rx) = channel::<u32>(Some(1));
    let rx2 = rx.clone();
    let producer: Future<()> = ex.submit(move || -> PyResult<()> {
        for i in 0..3 {
            tx.send(i)?;
        }
        Ok(())
    })?;
    let consumer: Future<u32> = ex.submit(move || rx2.recv())?;
    assert_eq!(rx.recv()?, 0);
    // The producer cannot return before we take 1 (2 needs the slot).
    assert!(
        !consumer.running() && !consumer.done(),
        "the consumer waits its turn"
    );
    assert_eq!(rx.recv()?, 1);
    producer.result(None)?;
    assert_eq!(consumer.result(None)?, 2);
    Ok(())
}
