;; _initialize traps: Load must fail with a trap error.
(module
  (import "medledger" "state_put" (func $state_put (param i32 i32 i32 i32)))
  (import "medledger" "result_set" (func $result_set (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "kv")
  (func (export "medledger_abi_v1"))
  (func (export "_initialize") unreachable)
  (func (export "invoke") (result i32) (i32.const 0)))
