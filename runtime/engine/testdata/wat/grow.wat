;; Grows memory one page at a time until memory.grow fails, then reports the page count as a contract error.
(module
  (import "medledger" "state_put" (func $state_put (param i32 i32 i32 i32)))
  (import "medledger" "result_set" (func $result_set (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "kv")
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32)
    (call $state_put (i32.const 16) (i32.const 1) (i32.const 17) (i32.const 1))
    (block $done
      (loop $more
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $more)))
    ;; write the decimal-free page count as 4 little-endian bytes at 64 and report it
    (i32.store (i32.const 64) (memory.size))
    (call $result_set (i32.const 64) (i32.const 4))
    (i32.const 1)))
