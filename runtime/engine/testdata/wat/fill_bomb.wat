;; Writes a key, grows memory to its limit, then fills all of it with memory.fill forever: bulk memory is charged
;; per byte before it runs, so it runs out of gas.
(module
  (import "medledger" "state_put" (func $state_put (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "kv")
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32)
    (call $state_put (i32.const 16) (i32.const 1) (i32.const 17) (i32.const 1))
    (block $full
      (loop $grow
        (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $grow)))
    (loop $fill
      (memory.fill (i32.const 0) (i32.const 0xab) (i32.mul (memory.size) (i32.const 65536)))
      (br $fill))
    (i32.const 0)))
