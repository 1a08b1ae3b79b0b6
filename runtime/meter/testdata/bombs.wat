;; Hostile guests: each must stop with out-of-gas or depth-exceeded, quickly, host alive.
;; put(ptr, len) is the stub host's write: the tests check nothing written survives a trap.
(module
  (import "env" "put" (func $put (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "written")

  ;; An infinite loop.
  (func (export "spin")
    (call $put (i32.const 0) (i32.const 7))
    (loop $forever (br $forever)))

  ;; Infinite recursion.
  (func $recurse (export "recurse") (param $n i64) (result i64)
    (call $put (i32.const 0) (i32.const 7))
    (i64.add (call $recurse (i64.add (local.get $n) (i64.const 1))) (i64.const 1)))

  ;; Infinite recursion through the table.
  (type $v (func))
  (table 1 funcref)
  (elem (i32.const 0) $indirect)
  (func $indirect (export "recurse_indirect")
    (call_indirect (type $v) (i32.const 0)))

  ;; memory.grow in a loop: grows until the memory limit, then keeps asking.
  (func (export "grow")
    (call $put (i32.const 0) (i32.const 7))
    (loop $again
      (drop (memory.grow (i32.const 1)))
      (br $again)))

  ;; memory.fill over all of memory, forever.
  (func (export "fill")
    (call $put (i32.const 0) (i32.const 7))
    (loop $again
      (memory.fill (i32.const 0) (i32.const 0xab) (i32.mul (memory.size) (i32.const 65536)))
      (br $again)))

  ;; One huge memory.copy: a single instruction whose charge alone exceeds a small limit.
  (func (export "copy_once") (param $n i32)
    (memory.copy (i32.const 0) (i32.const 0) (local.get $n)))
)
