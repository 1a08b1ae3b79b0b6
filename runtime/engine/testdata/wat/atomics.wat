;; An atomic instruction on a non-shared memory: passes the structural gate, rejected by the gas instrumentation
;; (threads), or by the compiler on an unmetered engine.
(module
  (memory (export "memory") 1 1)
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32) (i32.atomic.load (i32.const 0))))
