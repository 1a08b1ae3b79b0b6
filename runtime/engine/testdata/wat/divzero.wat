;; Writes a key, then traps (divzero): the call must fail and write nothing.
(module
  (import "medledger" "state_put" (func $state_put (param i32 i32 i32 i32)))
  (import "medledger" "result_set" (func $result_set (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "kv")
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32)
    (call $state_put (i32.const 16) (i32.const 1) (i32.const 17) (i32.const 1))
    (drop (i32.div_s (i32.const 1) (i32.const 0)))
    (i32.const 0)))
