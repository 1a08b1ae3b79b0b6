;; A minimal valid ABI v1 contract: every call writes "k" = "v" and returns "ok".
(module
  (import "medledger" "state_put" (func $state_put (param i32 i32 i32 i32)))
  (import "medledger" "result_set" (func $result_set (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "kv")
  (func (export "medledger_abi_v1"))
  (data (i32.const 32) "ok")
  (func (export "invoke") (result i32)
    (call $state_put (i32.const 16) (i32.const 1) (i32.const 17) (i32.const 1))
    (call $result_set (i32.const 32) (i32.const 2))
    (i32.const 0)))
