;; Shared memory needs the threads proposal, which contracts may not use.
(module
  (memory (export "memory") 1 2 shared)
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32) (i32.const 0)))
