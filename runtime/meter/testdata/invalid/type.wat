;; Invalid: call_indirect names type 1, which does not exist; the instrumenter appends types.
(module (type (func)) (table 1 funcref) (func (export "f") (call_indirect (type 1) (i32.const 0))))
