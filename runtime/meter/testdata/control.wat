;; Control flow and instruction coverage: every export is called metered and unmetered and
;; must give the same results.
(module
  (type $binop (func (param i32 i32) (result i32)))
  (type $pair (func (param i32) (result i32 i32)))
  (memory (export "memory") 1)
  (table $t 4 funcref)
  (table $t2 (export "table") 2 funcref)
  (elem (table $t) (i32.const 0) func $add $sub $mul $divs)
  (elem $passive func $add $mul)
  (data $bytes "0123456789abcdef")

  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $mul (type $binop) (i32.mul (local.get 0) (local.get 1)))
  (func $divs (type $binop) (i32.div_s (local.get 0) (local.get 1)))

  ;; call_indirect through the table.
  (func (export "apply") (param $op i32) (param $a i32) (param $b i32) (result i32)
    (call_indirect $t (type $binop) (local.get $a) (local.get $b) (local.get $op)))

  ;; br_table with a default, nested blocks carrying a value.
  (func (export "classify") (param $x i32) (result i32)
    (block $default
      (block $two
        (block $one
          (block $zero
            (br_table $zero $one $two $default (local.get $x)))
          (return (i32.const 100)))
        (return (i32.const 101)))
      (return (i32.const 102)))
    (i32.const 99))

  ;; Early returns from deep nesting, if/else with results, select.
  (func (export "nested") (param $x i32) (result i32)
    (local $acc i32)
    (block $a
      (block $b
        (loop $l
          (local.set $acc (i32.add (local.get $acc) (local.get $x)))
          (if (i32.gt_s (local.get $acc) (i32.const 1000))
            (then (return (i32.const -1))))
          (br_if $b (i32.gt_s (local.get $acc) (i32.const 500)))
          (br_if $a (i32.eq (local.get $x) (i32.const 0)))
          (br $l)))
      (local.set $acc (if (result i32) (i32.and (local.get $acc) (i32.const 1))
        (then (i32.mul (local.get $acc) (i32.const 3)))
        (else (i32.div_u (local.get $acc) (i32.const 2))))))
    (select (local.get $acc) (i32.const 7) (local.get $x)))

  ;; Multi-value: a function and blocks with several results, and a block with parameters.
  (func $divmod (type $pair) (param $x i32) (result i32 i32)
    (i32.div_u (local.get $x) (i32.const 10))
    (i32.rem_u (local.get $x) (i32.const 10)))
  (func (export "multi") (param $x i32) (result i32)
    (call $divmod (local.get $x))
    (block (param i32 i32) (result i32)
      (i32.add (i32.mul (i32.const 1000)))
    ))

  ;; A branch to the function's own label with a value, from inside a loop.
  (func (export "brfunc") (param $x i32) (result i32)
    (loop $l
      (br_if 1 (i32.const 42) (i32.eqz (local.get $x)))
      (local.set $x (i32.sub (local.get $x) (i32.const 1)))
      (br $l))
    (i32.const -1))

  ;; Recursion with a real result.
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  ;; Bulk memory: init from a passive segment, copy, fill; returns a checksum of 64 bytes.
  (func (export "bulk") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (memory.init $bytes (i32.const 100) (i32.const 0) (i32.const 16))
    (memory.copy (i32.const 200) (i32.const 100) (local.get $n))
    (memory.fill (i32.const 210) (i32.const 7) (i32.const 3))
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
        (i32.mul (i32.load8_u (i32.add (i32.const 200) (local.get $i))) (i32.add (local.get $i) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 64))))
    (local.get $sum))

  (func (export "drop_data") (data.drop $bytes))

  ;; Table operations: grow, fill, copy, init, size, get/set, ref.func, ref.is_null.
  (func (export "tables") (param $n i32) (result i32)
    (local $r i32)
    (local.set $r (table.grow $t2 (ref.null func) (local.get $n)))
    (table.fill $t2 (i32.const 0) (ref.func $mul) (i32.const 2))
    (table.init $t2 $passive (i32.const 0) (i32.const 0) (i32.const 1))
    (table.copy $t $t2 (i32.const 3) (i32.const 1) (i32.const 1))
    (elem.drop $passive)
    (table.set $t2 (i32.const 1) (table.get $t (i32.const 1)))
    (i32.add (i32.add (local.get $r) (table.size $t2))
      (i32.add (ref.is_null (table.get $t2 (i32.const 0)))
        (call_indirect $t (type $binop) (i32.const 6) (i32.const 7) (i32.const 3)))))

  ;; memory.grow and memory.size.
  (func (export "grow") (param $pages i32) (result i32)
    (i32.add (memory.grow (local.get $pages)) (i32.mul (memory.size) (i32.const 1000))))

  ;; Sign extension and saturating conversions.
  (func (export "numeric") (param $x i32) (result i64)
    (i64.add
      (i64.extend8_s (i64.extend_i32_u (local.get $x)))
      (i64.trunc_sat_f64_s (f64.mul (f64.convert_i32_s (local.get $x)) (f64.const 1e30)))))

  ;; Code after an unconditional branch (dead code) must survive instrumentation.
  (func (export "dead") (param $x i32) (result i32)
    (block $b (result i32)
      (br $b (local.get $x))
      (drop (i32.const 1))
      (loop $never (br $never))
      (i32.const 2))
    (return)
    (i32.const 3))

  ;; Traps of the guest's own: unreachable and division by zero.
  (func (export "trap") (param $x i32) (result i32)
    (if (i32.eqz (local.get $x)) (then unreachable))
    (i32.div_s (i32.const 1) (i32.sub (local.get $x) (i32.const 1))))

  ;; A start-free global the guest updates: state survives within an instance.
  (global $counter (mut i32) (i32.const 0))
  (func (export "count") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter))
)
