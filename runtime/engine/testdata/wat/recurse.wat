;; Unbounded recursion: ends at the metered call-depth limit (depth-exceeded); unmetered, at wazero's stack ceiling.
(module
  (import "medledger" "state_put" (func $state_put (param i32 i32 i32 i32)))
  (import "medledger" "result_set" (func $result_set (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "kv")
  (func (export "medledger_abi_v1"))
  (func $f (param i64) (result i64)
    (i64.add (call $f (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))
  (func (export "invoke") (result i32)
    (call $state_put (i32.const 16) (i32.const 1) (i32.const 17) (i32.const 1))
    (drop (call $f (i64.const 0)))
    (i32.const 0)))
