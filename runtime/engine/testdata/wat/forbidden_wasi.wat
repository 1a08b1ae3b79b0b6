;; Imports a WASI function outside the deterministic subset.
(module
  (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "kv")
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32) (i32.const 0)))
