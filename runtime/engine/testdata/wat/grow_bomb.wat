;; Writes a key, then calls memory.grow forever, ignoring failure: each grow is charged per page requested, so
;; it runs out of gas (unmetered, it would spin for ever once memory is at its limit).
(module
  (import "medledger" "state_put" (func $state_put (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "kv")
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32)
    (call $state_put (i32.const 16) (i32.const 1) (i32.const 17) (i32.const 1))
    (loop $l
      (drop (memory.grow (i32.const 1)))
      (br $l))
    (i32.const 0)))
