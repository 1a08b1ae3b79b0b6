;; Exports the metering names with the wrong types: Bind must refuse it, Instrument too.
(module
  (global (export "medledger_gas_left") i64 (i64.const 5))
  (global (export "medledger_depth_left") (mut i64) (i64.const 5))
  (global (export "medledger_trap_reason") (mut i32) (i32.const 0))
)
