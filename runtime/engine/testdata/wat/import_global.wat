;; Imports a global, which the allowlist never allows.
(module
  (import "medledger" "gas" (global i64))
  (memory (export "memory") 1)
  (data (i32.const 16) "kv")
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32) (i32.const 0)))
