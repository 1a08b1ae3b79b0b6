;; Declares 1000 initial pages (62.5 MiB), above the default 512-page limit.
(module
  (memory (export "memory") 1000)
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32) (i32.const 0)))
