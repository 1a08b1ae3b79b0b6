;; An infinite loop: out of gas when metered; the wall-clock guard stops it on a query engine.
(module
  (import "medledger" "state_put" (func $state_put (param i32 i32 i32 i32)))
  (import "medledger" "result_set" (func $result_set (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "kv")
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32)
    (call $state_put (i32.const 16) (i32.const 1) (i32.const 17) (i32.const 1))
    (loop $l (br $l))
    (i32.const 0)))
