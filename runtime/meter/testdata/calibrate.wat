;; Calibration kernels: BenchmarkCalibrate reports nanoseconds per gas unit for each, so the
;; cost table can price bulk memory, memory.grow and host calls like ordinary code.
(module
  (import "env" "put" (func $put (param i32 i32)))
  (memory (export "memory") 1 512)

  ;; fnv(rounds): FNV-1a over 4 KiB, the reference for ordinary code.
  (func (export "fnv") (param $rounds i32) (result i32)
    (local $i i32) (local $h i32) (local $r i32)
    (local.set $h (i32.const 0x811c9dc5))
    (loop $round
      (local.set $i (i32.const 0))
      (loop $byte
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $i))) (i32.const 0x01000193)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $byte (i32.lt_u (local.get $i) (i32.const 4096))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $r) (local.get $rounds))))
    (local.get $h))

  ;; fill(times, size): memory.fill of size bytes, times times.
  (func (export "fill") (param $times i32) (param $size i32)
    (loop $again
      (memory.fill (i32.const 0) (local.get $times) (local.get $size))
      (local.set $times (i32.sub (local.get $times) (i32.const 1)))
      (br_if $again (local.get $times))))

  ;; copy(times, size): memory.copy of size bytes within the first page, times times.
  (func (export "copy") (param $times i32) (param $size i32)
    (loop $again
      (memory.copy (i32.const 8) (i32.const 0) (local.get $size))
      (local.set $times (i32.sub (local.get $times) (i32.const 1)))
      (br_if $again (local.get $times))))

  ;; grow(pages): grows one page at a time (succeeds up to the 512-page maximum).
  (func (export "grow") (param $pages i32)
    (loop $again
      (drop (memory.grow (i32.const 1)))
      (local.set $pages (i32.sub (local.get $pages) (i32.const 1)))
      (br_if $again (local.get $pages))))

  ;; put(times, size): the stub host call with size bytes, times times.
  (func (export "put") (param $times i32) (param $size i32)
    (loop $again
      (call $put (i32.const 0) (local.get $size))
      (local.set $times (i32.sub (local.get $times) (i32.const 1)))
      (br_if $again (local.get $times))))
)
