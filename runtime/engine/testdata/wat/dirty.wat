;; Reports what it finds, then dirties memory: result = [i32 at 100, memory.size, i32 at 65544 (0 if absent)];
;; afterwards it writes 0xdeadbeef at 100, grows memory to 2 pages and writes 0xdeadbeef at 65544.
;; Under snapshot isolation every call must report (0, 1, 0).
(module
  (import "medledger" "result_set" (func $result_set (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32)
    (i32.store (i32.const 200) (i32.load (i32.const 100)))
    (i32.store (i32.const 204) (memory.size))
    (i32.store (i32.const 208)
      (if (result i32) (i32.gt_u (memory.size) (i32.const 1))
        (then (i32.load (i32.const 65544)))
        (else (i32.const 0))))
    (call $result_set (i32.const 200) (i32.const 12))
    (i32.store (i32.const 100) (i32.const 0xdeadbeef))
    (if (i32.eq (memory.size) (i32.const 1))
      (then (drop (memory.grow (i32.const 1)))))
    (i32.store (i32.const 65544) (i32.const 0xdeadbeef))
    (i32.const 0)))
