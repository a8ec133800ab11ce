//! Twin of `cases/tpe_max_workers_limit.py`.

#[allow(unused_imports)]
use super::prelude::*;

pub fn run() {
    let gate = Event::new();
    let counts = Arc::new(Mutex::new((0usize, 0usize))); // (now, peak)
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let fs: Vec<Future<usize>> = (0..6)
        .map(|i| {
            let (gate, counts) = (gate.clone(), counts.clone());
            ex.submit(move || {
                {
                    let mut c = counts.lock().unwrap();
                    c.0 += 1;
                    c.1 = c.1.max(c.0);
                }
                gate.wait(None);
                counts.lock().unwrap().0 -= 1;
                i
            })
            .unwrap()
        })
        .collect();
    while counts.lock().unwrap().0 != 2 {
        std::thread::sleep(Duration::from_millis(1)); // allow-sleep: the Python twin's polling loop
    }
    println!("running {}", fs.iter().filter(|f| f.running()).count());
    println!("cancel last {}", b(fs[5].cancel()));
    gate.set();
    let results: Vec<usize> = fs[..5].iter().map(|f| f.result(None).unwrap()).collect();
    println!("{}", list(&results));
    println!("peak {}", counts.lock().unwrap().1);
    ex.shutdown(true, false);

    let ex2 = ThreadPoolExecutor::new(Some(4)).unwrap();
    let names: Vec<String> = (0..3)
        .map(|_| {
            ex2.submit(|| current_thread().name())
                .unwrap()
                .result(None)
                .unwrap()
        })
        .collect();
    println!("names {}", strs(&names));
    ex2.shutdown(true, false);
}
