#!/usr/bin/env bash
# The WASI tier: the executor-api and scheduler tests that make sense on WASI
# and the WASI demo, under wasmtime (36 LTS: the last line with wasi-threads),
# for both wasm32-wasip1-threads (workers are wasi-threads) and wasm32-wasip1
# (no threads: every task runs inline on the waiting thread).
#
# scripts/test.sh installs wasmtime into ~/.cache/pyrt-tools/bin and the two
# rustup targets before calling this. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cache/pyrt-tools/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR_WASI:-target/wasi}"
RUN=("${WASMTIME:-wasmtime}" run -W threads=y -S threads=y --env PYRT_NUM_THREADS=2)

# On wasm a panic aborts the whole instance (panic=abort), so tests that
# check how a panic is caught cannot run there.
PANICS=(
  a_panicking_callback_is_ignored_and_others_still_run
  a_panicking_task_becomes_an_error_and_the_pool_keeps_its_size
  a_panicking_initializer_breaks_the_pool_too
  join_resumes_a_panic_after_both_halves_finished
  a_stolen_half_runs_on_the_thief_and_its_result_and_panic_come_back
  nested_scopes_and_panics
  a_panicking_spawned_task_does_not_kill_the_worker
  try_map_vec_reports_the_failing_index_and_drops_everything_else
  processes_start_join_and_exit_codes
  a_spawner_that_fails_is_an_error_not_a_panic
  map_raises_the_first_failing_item_by_position
  a_panic_reaches_the_caller_after_every_other_piece_finished
  a_panicking_comparison_leaves_a_permutation_and_drops_nothing_twice
)
# Without threads (wasm32-wasip1): tests that start threads themselves
# (std::thread, threading.Thread, multiprocessing.Process: these report
# "RuntimeError: can't start new thread" there), that hold a task running
# while the test thread acts (a blocker released from outside), or that
# count per-worker things (initializers, stealing) a workerless pool lacks.
NO_THREADS=(
  a_blocked_receiver_wakes_when_the_last_sender_drops
  a_full_send_on_a_worker_holds_it_and_the_next_call_waits_its_turn
  a_receiver_holds_its_worker_and_the_feeder_runs_on_another
  with_one_worker_a_starvation_rescue_runs_the_feeder
  without_rescue_a_getter_fed_by_a_later_call_blocks_as_in_cpython
  a_blocked_worker_runs_nothing_else_and_without_rescue_the_pool_stays_blocked
  a_starvation_rescue_starts_one_spare_that_retires_afterwards
  a_lazy_pool_starts_workers_one_at_a_time
  a_local_subclass_init_runs_once_per_thread_and_names_its_errors
  a_sender_blocked_on_a_full_channel_wakes_when_the_last_receiver_drops
  the_first_submit_succeeds_even_when_the_initializer_fails
  a_failing_initializer_breaks_the_pool
  a_spawner_failing_part_way_keeps_the_workers_it_started
  a_task_holding_a_lock_does_not_run_other_tasks_inside_its_critical_section
  add_done_callback_runs_once_at_completion_or_at_once_if_done
  as_completed_yields_in_completion_order_and_times_out
  async_results_report_errors_and_readiness
  barrier_indices_action_abort_reset_timeout
  callbacks_of_cancelled_futures_run
  cancel_succeeds_only_while_queued
  condition_producer_consumer
  dropping_the_last_handle_inside_a_task_does_not_deadlock
  event_set_clear_wait
  every_message_is_received_exactly_once
  initializer_runs_on_each_worker_and_a_failing_one_breaks_tasks
  initializer_runs_on_every_worker_thread_with_the_prefix
  local_values_are_per_thread
  lock_acquire_release_and_errors
  manager_objects_are_shared_between_processes
  map_timeout_raises_timeout_error
  one_million_tasks_from_four_threads_are_counted_exactly
  pipes_duplex_one_way_and_closed
  poll_without_limit_waits_for_the_sender
  queues_between_processes
  result_and_exception_time_out
  rlock_is_reentrant_and_owned
  select_takes_whichever_is_ready_and_times_out
  semaphores_count_and_bound
  shutdown_with_cancel_futures_cancels_queued_work_and_waits_for_running
  simple_queue_and_many_producers
  spawned_closures_all_run_exactly_once
  stealing_happens_and_is_counted
  task_done_and_join_track_every_item
  thread_names_and_start_handler
  threads_start_join_names_and_errors
  timer_fires_or_is_cancelled
  value_updates_under_its_lock_are_exact
  wait_all_first_completed_and_first_exception
  the_work_runs_on_the_installing_pool
  nested_iterators_inside_join_and_inside_pool_tasks
  a_thread_built_with_stack_size_runs_recursion_the_default_stack_cannot_hold
  a_pool_built_with_stack_size_gives_its_workers_that_stack
)

skips() {
  local -n list=$1
  for t in "${list[@]}"; do printf -- '--skip %s ' "$t"; done
}

test_binaries() {
  local target=$1
  cargo test -p pyrt-scheduler -p pyrt-executor --target "$target" --no-run \
    --test pool --test futures --test queue --test threading --test channels \
    --test asyncio --test multiprocessing --test par_iter --message-format=json 2>/dev/null |
    python3 -c '
import json, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])'
}

native_checksum() {
  DEMO_QUICK=1 cargo run -q --release -p demos --bin wasi_demo | sed -n 's/^checksum: //p'
}

fail=0
expected=$(CARGO_TARGET_DIR=target native_checksum)
echo "[wasi] native demo checksum: $expected"
for target in wasm32-wasip1-threads wasm32-wasip1; do
  echo "[wasi] === $target: tests"
  cargo test -p pyrt-scheduler -p pyrt-executor --target "$target" --no-run \
    --test pool --test futures --test queue --test threading --test channels \
    --test asyncio --test multiprocessing --test par_iter
  args=$(skips PANICS)
  if [[ $target == wasm32-wasip1 ]]; then args+=" $(skips NO_THREADS)"; fi
  for bin in $(test_binaries "$target"); do
    echo "[wasi] $target: $(basename "$bin")"
    # shellcheck disable=SC2086
    if ! timeout 300 "${RUN[@]}" "$bin" --test-threads=1 $args; then
      echo "[wasi] FAILED: $target $(basename "$bin")"
      fail=1
    fi
  done
  echo "[wasi] === $target: demo"
  cargo build --release -p demos --bin wasi_demo --target "$target"
  out=$(timeout 300 "${RUN[@]}" --env DEMO_QUICK=1 "$CARGO_TARGET_DIR/$target/release/wasi_demo.wasm")
  echo "$out"
  got=$(sed -n 's/^checksum: //p' <<<"$out")
  if [[ "$got" != "$expected" ]]; then
    echo "[wasi] FAILED: $target demo checksum $got, native $expected"
    fail=1
  fi
done
exit $fail
