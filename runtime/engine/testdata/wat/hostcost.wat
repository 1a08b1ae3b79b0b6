;; Stores its arguments under "k": input_args, register_read and state_put each move the n argument bytes, so the
;; gas of a call is a constant plus 3n (ABI.md §11.2, one gas per byte) and nothing else depends on n.
(module
  (import "medledger" "input_args" (func $input_args (result i64)))
  (import "medledger" "register_read" (func $register_read (param i32)))
  (import "medledger" "state_put" (func $state_put (param i32 i32 i32 i32)))
  (memory (export "memory") 4)
  (data (i32.const 16) "k")
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32)
    (local $n i32)
    (local.set $n (i32.wrap_i64 (call $input_args)))
    (call $register_read (i32.const 1024))
    (call $state_put (i32.const 16) (i32.const 1) (i32.const 1024) (local.get $n))
    (i32.const 0)))
